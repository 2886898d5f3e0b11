#!/usr/bin/env python3
"""Export exact vector-Jacobian-product graphs of the Stable Diffusion 1.5 VAE to ONNX.

Image-space SDS (DreamFace Sec. 5.2.2, Eq. 14) back-propagates the generic LDM's SDS gradient
through the VAE encoder E and decoder D. onnxruntime only runs forward graphs, so this script
writes the two backward products as forward graphs, with the names the project's role cards
expect (models/cards/roles.ts):

  vae_encoder_vjp:  sample [B,3,H,W] in [-1,1], grad_latent_sample [B,4,H/8,W/8]
                    -> grad_sample [B,3,H,W]        = (d mean(E(sample)) / d sample)^T . grad
  vae_decoder_vjp:  latent_sample [B,4,h,w] (unscaled), grad_sample [B,3,8h,8w]
                    -> grad_latent_sample [B,4,h,w] = (d D(latent_sample) / d latent)^T . grad

Latents here are the VAE's own (not x 0.18215); the TypeScript wrappers
(src/engine/models/vae.ts) apply the scale on both sides.

This runs where PyTorch is, outside the project's tests (the project has no Python). Usage:

  pip install torch diffusers onnx            # torch >= 2.5 for the dynamo exporter
  python models/export/export_vae_vjp.py --model runwayml/stable-diffusion-v1-5 \
      --out ~/.cache/dreamface/models/sd15 [--size 512] [--check]

It writes <out>/vae_encoder_vjp/model.onnx and <out>/vae_decoder_vjp/model.onnx (the sd15
profile's layout; weights go to an external-data file next to each graph when > 2 GB).
--check compares each graph with torch.func.vjp on a random input via onnxruntime.
Status: written against the public diffusers / torch APIs; not run inside this project's CI.
Without these graphs the texture stage falls back to the labelled linear latent<->RGB
approximation of the VAE Jacobians (texture.vaeGradient = "auto").
"""
import argparse
import os

import torch


class EncoderVjp(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample, grad_latent_sample):
        def mean(x):
            return self.vae.encode(x).latent_dist.mean

        _, pullback = torch.func.vjp(mean, sample)
        return pullback(grad_latent_sample)[0]


class DecoderVjp(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample, grad_sample):
        def decode(z):
            return self.vae.decode(z).sample

        _, pullback = torch.func.vjp(decode, latent_sample)
        return pullback(grad_sample)[0]


def export(module, args, names_in, name_out, path, dynamic):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(
        module,
        args,
        path,
        input_names=names_in,
        output_names=[name_out],
        dynamic_axes=dynamic,
        opset_version=18,
        dynamo=True,  # traces through torch.func.vjp; the TorchScript exporter cannot
        external_data=True,
    )
    print(f"wrote {path}")


def check(module, args, names_in, path):
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {n: a.detach().cpu().numpy() for n, a in zip(names_in, args)}
    ours = session.run(None, feeds)[0]
    with torch.no_grad():
        ref = module(*args).detach().cpu().numpy()
    err = float(np.max(np.abs(ours - ref)) / (np.max(np.abs(ref)) + 1e-12))
    print(f"{path}: max relative error vs torch.func.vjp = {err:.2e}")
    if err > 1e-3:
        raise SystemExit(f"{path} disagrees with torch (relative error {err:.2e})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="diffusers SD 1.5 folder or hub id (its vae/ subfolder is used)")
    parser.add_argument("--out", required=True, help="the sd15 profile folder")
    parser.add_argument("--size", type=int, default=512, help="image side used for tracing (axes stay dynamic)")
    parser.add_argument("--check", action="store_true", help="compare the exported graphs with torch on a random input")
    a = parser.parse_args()

    from diffusers import AutoencoderKL

    vae = AutoencoderKL.from_pretrained(a.model, subfolder="vae", torch_dtype=torch.float32).eval()
    for p in vae.parameters():
        p.requires_grad_(False)
    out = os.path.expanduser(a.out)
    s, h = a.size, a.size // 8
    gen = torch.Generator().manual_seed(0)

    enc_args = (torch.rand(1, 3, s, s, generator=gen) * 2 - 1, torch.randn(1, 4, h, h, generator=gen))
    enc_names = ["sample", "grad_latent_sample"]
    enc_path = os.path.join(out, "vae_encoder_vjp", "model.onnx")
    export(EncoderVjp(vae), enc_args, enc_names, "grad_sample", enc_path,
           {"sample": {0: "batch", 2: "height", 3: "width"}, "grad_latent_sample": {0: "batch", 2: "latent_height", 3: "latent_width"}, "grad_sample": {0: "batch", 2: "height", 3: "width"}})

    dec_args = (torch.randn(1, 4, h, h, generator=gen), torch.randn(1, 3, s, s, generator=gen))
    dec_names = ["latent_sample", "grad_sample"]
    dec_path = os.path.join(out, "vae_decoder_vjp", "model.onnx")
    export(DecoderVjp(vae), dec_args, dec_names, "grad_latent_sample", dec_path,
           {"latent_sample": {0: "batch", 2: "latent_height", 3: "latent_width"}, "grad_sample": {0: "batch", 2: "height", 3: "width"}, "grad_latent_sample": {0: "batch", 2: "latent_height", 3: "latent_width"}})

    if a.check:
        check(EncoderVjp(vae), enc_args, enc_names, enc_path)
        check(DecoderVjp(vae), dec_args, dec_names, dec_path)


if __name__ == "__main__":
    main()
