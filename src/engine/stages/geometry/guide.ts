/**
 * What detail carving needs from the diffusion models, as one small interface: encode a
 * render to latents (and the encoder's vector-Jacobian product, to carry the SDS gradient
 * back to pixels), and a guided noise prediction for the prompt. `backendGuide` builds it
 * from a Backend; tests can hand in any other implementation with the same contract.
 */
import type { Backend, Tensor } from "../../models/backend.js";
import { asFloat32, f32 } from "../../models/tensor.js";
import { vaeEncode, vaeEncodeVjp } from "../../models/vae.js";
import { unetEpsPair } from "../../models/unet.js";
import { cfg } from "../../diffusion/guidance.js";
import { interleavedToPlanar, planarToInterleaved } from "../../image/layout.js";
import { encoderVjpLinear } from "../texture/linear-rgb.js";

export interface LatentImage {
  /** Scaled latents (×0.18215 for SD) `[1*C*h*w]`, channels first. */
  readonly latents: Float32Array;
  readonly dims: readonly [1, number, number, number];
}

export interface SdsGuide {
  /** `image` is `[1*3*H*W]` channels first, values in [−1, 1]. */
  encode(image: Float32Array, height: number, width: number): Promise<LatentImage>;
  /** (∂latents/∂image)ᵀ·gradLatents, `[1*3*H*W]`. */
  encodeVjp(image: Float32Array, height: number, width: number, gradLatents: Float32Array): Promise<Float32Array>;
  /** Classifier-free-guided ε̂(z_t; t, prompt) with guidance scale `guidance` (diffusers convention). */
  eps(noisy: Float32Array, dims: readonly number[], t: number, guidance: number): Promise<Float32Array>;
}

/** HWC image in [0, 1] → CHW in [−1, 1] (the VAE's input). */
export function toVaeInput(image: Float32Array, width: number, height: number, channels: number, out = new Float32Array(3 * width * height)): Float32Array {
  const P = width * height;
  for (let p = 0; p < P; p++) for (let c = 0; c < 3; c++) out[c * P + p] = 2 * image[p * channels + Math.min(c, channels - 1)]! - 1;
  return out;
}

/** Adjoint of toVaeInput: CHW gradient → HWC gradient (×2 from the range map). */
export function fromVaeInputGrad(grad: Float32Array, width: number, height: number, channels: number, out = new Float32Array(width * height * channels)): Float32Array {
  const P = width * height;
  out.fill(0);
  for (let p = 0; p < P; p++) for (let c = 0; c < 3; c++) out[p * channels + Math.min(c, channels - 1)]! += 2 * grad[c * P + p]!;
  return out;
}

/**
 * (∂latents/∂image)ᵀ·gradLatents by the published linear latent↔RGB factors, in the guide's
 * layout (CHW, image in [−1, 1]): the labelled stand-in when no encoder VJP graph exists and
 * none can be derived (src/engine/models/capabilities.ts). encoderVjpLinear works on images in
 * [0, 1] (x = 2·I − 1), so its gradient is halved.
 */
export function linearEncodeVjp(height: number, width: number, gradLatents: Float32Array, dims: readonly number[]): Float32Array {
  const [, c, h, w] = dims as [number, number, number, number];
  const hwc = encoderVjpLinear(planarToInterleaved(gradLatents, h * w, c), h, w, height / h);
  const out = interleavedToPlanar(hwc, height * width, 3);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / 2;
  return out;
}

export interface BackendGuideOptions {
  /** "graph" (default): the vae_encoder_vjp role (a file or derived); "linear-approx": linearEncodeVjp. */
  encoderVjp?: "graph" | "linear-approx";
}

/**
 * The SD guide over a Backend: VAE encoder (+ its VJP graph) and the UNet with classifier-free
 * guidance, conditioned on the text-encoder hidden states of the prompt and of "" (`[1,77,768]`).
 */
export function backendGuide(backend: Backend, hidden: { cond: Tensor; uncond: Tensor }, opts: BackendGuideOptions = {}): SdsGuide {
  // Latent dims per image size, learned from the encoder's answer (the VJP needs them).
  const latentDims = new Map<string, readonly number[]>();
  return {
    async encode(image, height, width) {
      const z = await vaeEncode(backend, f32(image, [1, 3, height, width]));
      const [b, c, h, w] = z.dims as [number, number, number, number];
      if (b !== 1) throw new Error(`vae_encoder returned batch ${b} for one image`);
      latentDims.set(`${height}x${width}`, z.dims);
      return { latents: asFloat32(z), dims: [1, c, h, w] };
    },
    async encodeVjp(image, height, width, gradLatents) {
      const x = f32(image, [1, 3, height, width]);
      const dims = latentDims.get(`${height}x${width}`) ?? (await vaeEncode(backend, x)).dims;
      if (opts.encoderVjp === "linear-approx") return linearEncodeVjp(height, width, gradLatents, dims);
      return asFloat32(await vaeEncodeVjp(backend, x, f32(gradLatents, dims)));
    },
    async eps(noisy, dims, t, guidance) {
      const pair = await unetEpsPair(backend, "unet", f32(noisy, dims), t, hidden.uncond, hidden.cond);
      return cfg(asFloat32(pair.uncond), asFloat32(pair.cond), guidance);
    },
  };
}
