"""SD1.5-width VAE encoder/decoder graphs (random weights) for `npm run bench -- vjp`.

The committed autodiff fixtures (make_fixtures.py) are 4-8 channels wide, so their VJP time is
dominated by per-node overhead. These graphs have SD1.5's VAE widths (128/256/512/512 channels; one
resnet per level instead of two; the fixtures' GroupNorm group count, which costs the same), so the bench can also report the
VJP/forward ratio where convolutions dominate, as they do on the real model. Not committed
(about 100 MB); the bench uses them when present:

    /usr/bin/python3 models/export/make_bench_models.py   # -> results/bench/sd-width/*.onnx
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as fx  # noqa: E402
import torch  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "results", "bench", "sd-width")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    enc = fx.VaeEncoder(channels=(128, 256, 512, 512)).eval()
    dec = fx.VaeDecoder(channels=(128, 256, 512, 512)).eval()
    spatial = {0: "batch", 2: "height", 3: "width"}
    m = fx.export_onnx(enc, (torch.randn(1, 3, 64, 64),), ["sample"], ["latent_parameters"], {"sample": spatial, "latent_parameters": spatial})
    fx.save_model(m, os.path.join(OUT, "vae_encoder.onnx"))
    m = fx.export_onnx(dec, (torch.randn(1, 4, 8, 8),), ["latent_sample"], ["sample"], {"latent_sample": spatial, "sample": spatial})
    fx.save_model(m, os.path.join(OUT, "vae_decoder.onnx"))
    print(f"wrote {OUT}/vae_encoder.onnx and vae_decoder.onnx")


if __name__ == "__main__":
    main()
