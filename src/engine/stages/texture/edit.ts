/**
 * Texture editing (paper Sec. 7.2, Fig. 11) with the texture LDM: img2img on an existing
 * diffuse map under a new prompt (strength = how far into the noise schedule the map is
 * pushed before DDIM denoises it back), and masked inpainting — optionally seeded with a
 * sketch pasted into the masked area — blended into the original like stable-diffusion-webui
 * does: inside the denoising loop the unmasked latents are reset to the original noised to the
 * current t, and the decoded result is alpha-blended so pixels outside the mask are the
 * original's exactly. (The paper also mixes texture- and generic-LDM weights for sketches;
 * ONNX graphs can't be weight-mixed here, so only the texture LDM is used.)
 */
import { addNoise, ddimSample, ddpmSchedule, img2imgTimesteps } from "../../diffusion/index.js";
import { Rng } from "../../util/rng.js";
import type { TextureModels } from "./seams.js";

export interface EditOptions {
  /** Diffuse map `[S*S*3]` in [0, 1], S = 8 × latent side. */
  image: Float32Array;
  /** (0, 1]: 1 starts from pure noise, small values keep the map. */
  strength: number;
  /** DDIM steps for a full (strength 1) run. */
  steps?: number;
  guidance?: number;
  /** `[S*S]` in [0, 1]; 1 = regenerate, 0 = keep. Absent = edit everywhere. */
  mask?: Float32Array | null;
  /** `[S*S*3]` in [0, 1], pasted into the masked area before encoding. */
  sketch?: Float32Array | null;
  seed?: number;
  onStep?: (index: number, total: number, t: number) => void;
}

/** out = m·edited + (1 − m)·original per pixel; m = 0 gives the original bit for bit. */
export function blendMasked(original: Float32Array, edited: Float32Array, mask: Float32Array, channels: number, out = new Float32Array(original.length)): Float32Array {
  if (original.length !== edited.length || mask.length * channels !== original.length)
    throw new Error(`blendMasked: sizes differ (original ${original.length}, edited ${edited.length}, mask ${mask.length}×${channels})`);
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p]!;
    for (let c = 0; c < channels; c++) {
      const i = p * channels + c;
      out[i] = m === 0 ? original[i]! : m === 1 ? edited[i]! : m * edited[i]! + (1 - m) * original[i]!;
    }
  }
  return out;
}

/** Mean of each factor×factor block: a pixel mask → a latent-resolution mask. */
export function downsampleMask(mask: Float32Array, size: number, factor: number): Float32Array {
  const s = size / factor;
  const out = new Float32Array(s * s);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[Math.floor(y / factor) * s + Math.floor(x / factor)]! += mask[y * size + x]!;
  for (let i = 0; i < out.length; i++) out[i]! /= factor * factor;
  return out;
}

/** img2img / inpainting with the texture UNet (its prompt is fixed when `models` is built). */
export async function editTexture(models: TextureModels, opts: EditOptions): Promise<Float32Array> {
  const { image, strength, steps = 50, guidance = 7.5, mask = null, sketch = null, seed = 0 } = opts;
  const size = Math.round(Math.sqrt(image.length / 3));
  if (size * size * 3 !== image.length) throw new Error(`edit: the diffuse map must be square RGB, got ${image.length} values`);
  if (size % models.vaeFactor !== 0) throw new Error(`edit: the map side ${size} must be a multiple of ${models.vaeFactor}`);
  if (mask && mask.length !== size * size) throw new Error(`edit: the mask must be ${size}×${size}, got ${mask.length} values`);
  if (sketch && sketch.length !== image.length) throw new Error(`edit: the sketch must be ${size}×${size} RGB like the map`);
  const schedule = ddpmSchedule();
  const start = sketch && mask ? blendMasked(image, sketch, mask, 3) : image;
  const x0 = await models.encode(start);
  const latentMask = mask ? expand(downsampleMask(mask, size, models.vaeFactor), 4) : null;
  const total = img2imgTimesteps(schedule, steps, strength).timesteps.length;
  const sample = await ddimSample(schedule, {
    numSteps: steps,
    latents: x0,
    strength,
    cleanLatents: true,
    rng: Rng.derive(seed, "edit"),
    predictEps: (sample, t) => models.textureEps(sample, t, guidance),
    // Keep the unmasked latents on the original's trajectory (webui's latent mask blend).
    constrain: latentMask
      ? (sample, i, t) => {
          const prevT = t - Math.floor(schedule.trainSteps / steps);
          const keep = prevT >= 0 ? addNoise(schedule, x0, Rng.derive(seed, "edit", "keep", i).normals(x0.length), prevT) : x0;
          return blendMasked(keep, sample, latentMask, 1);
        }
      : undefined,
    onStep: ({ index, t }) => opts.onStep?.(index, total, t),
  });
  const decoded = await models.decode(sample);
  for (let i = 0; i < decoded.length; i++) decoded[i] = Math.min(1, Math.max(0, decoded[i]!));
  return mask ? blendMasked(image, decoded, mask, 3) : decoded;
}

function expand(mask: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(mask.length * channels);
  for (let p = 0; p < mask.length; p++) out.fill(mask[p]!, p * channels, p * channels + channels);
  return out;
}
