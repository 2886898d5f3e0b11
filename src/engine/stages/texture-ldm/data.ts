/** A texture-LDM training set in model space: VAE latents, the mask B at latent size, caption ids, domain. */
import type { Domain } from "./variants.js";

export interface LdmItem {
  /** UNet-space latents [4·h·w] (NCHW, batch 1). */
  readonly latent: Float32Array;
  /** Non-face mask B at latent size [h·w]: 1 = face texture, 0 = non-face element. */
  readonly mask: Float32Array;
  /** Caption token ids [77]. */
  readonly ids: Int32Array;
  readonly domain: Domain;
}

export interface LdmData {
  readonly items: readonly LdmItem[];
  /** Latent height and width. */
  readonly h: number;
  readonly w: number;
}

/** Average-pools a [H·W] mask by `f` (the VAE factor) to [H/f·W/f]. */
export function poolMask(mask: Float32Array, width: number, height: number, f: number): Float32Array {
  const w = width / f, h = height / f;
  const out = new Float32Array(w * h);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[Math.floor(y / f) * w + Math.floor(x / f)]! += mask[y * width + x]! / (f * f);
  return out;
}
