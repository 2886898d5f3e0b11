/**
 * VAE roles. All latents here are UNet-space (already × 0.18215, as the pipelines feed the
 * UNet); images are [B,3,H,W] in [-1,1]. Encoders that output latent_parameters (8 channels:
 * mean ‖ logvar, optimum ≥ 1.23) are reduced to the mean; 4-channel latent_sample is used as is.
 */
import type { Backend, Tensor } from "./backend.js";
import { pick, runRole } from "./adapt.js";
import { asFloat32, asFloat32Tensor, tensor } from "./tensor.js";

export const LATENT_SCALE = 0.18215;

function scaled(t: Tensor, s: number, channels?: number): Tensor {
  const src = asFloat32(t);
  const [b, c, h, w] = t.dims as [number, number, number, number];
  const keep = channels ?? c;
  const out = new Float32Array(b * keep * h * w);
  const plane = keep * h * w;
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < plane; j++) out[i * plane + j] = src[i * c * h * w + j]! * s;
  }
  return tensor("float32", out, [b, keep, h, w]);
}

/** Image [B,3,H,W] in [-1,1] → UNet-space latents [B,4,H/8,W/8]. */
export async function vaeEncode(backend: Backend, image: Tensor): Promise<Tensor> {
  const r = await runRole(backend, "vae_encoder", { sample: image });
  const out = pick(r, "vae_encoder", "latent_sample", "latent_parameters");
  return scaled(out, LATENT_SCALE, 4);
}

/** UNet-space latents [B,4,h,w] → image [B,3,8h,8w] in about [-1,1]. */
export async function vaeDecode(backend: Backend, latents: Tensor, role = "vae_decoder"): Promise<Tensor> {
  const r = await runRole(backend, role, { latent_sample: scaled(latents, 1 / LATENT_SCALE) });
  return asFloat32Tensor(pick(r, role, "sample"));
}

/** dL/dimage from dL/dlatents (UNet-space), through the encoder at `image`. */
export async function vaeEncodeVjp(backend: Backend, image: Tensor, gradLatents: Tensor): Promise<Tensor> {
  // latents = s·E(x) ⇒ Jᵀg = s·J_Eᵀ g.
  const r = await runRole(backend, "vae_encoder_vjp", { sample: image, grad_latent_sample: scaled(gradLatents, LATENT_SCALE) });
  return asFloat32Tensor(pick(r, "vae_encoder_vjp", "grad_sample"));
}

/** dL/dlatents (UNet-space) from dL/dimage, through the decoder at `latents`. */
export async function vaeDecodeVjp(backend: Backend, latents: Tensor, gradImage: Tensor): Promise<Tensor> {
  // image = D(z/s) ⇒ dL/dz = (1/s)·J_Dᵀ g at z/s.
  const r = await runRole(backend, "vae_decoder_vjp", { latent_sample: scaled(latents, 1 / LATENT_SCALE), grad_sample: gradImage });
  return scaled(pick(r, "vae_decoder_vjp", "grad_latent_sample"), 1 / LATENT_SCALE);
}
