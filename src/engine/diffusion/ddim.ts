/**
 * DDIM sampling as diffusers' DDIMScheduler does it for SD 1.5 ("leading" timestep spacing,
 * steps_offset = 1, ε-prediction, no sample clipping). Used for texture-LDM sampling and,
 * with a strength < 1, for editing (img2img).
 */
import type { Rng } from "../util/rng.js";
import { addNoise } from "./noise.js";
import { alphaBar, type DdpmSchedule } from "./schedule.js";

export interface TimestepOptions {
  /** Added to every timestep (SD 1.5: 1). Default 1. */
  stepsOffset?: number;
}

/** diffusers' `set_timesteps(N)`: (0..N−1)·⌊T/N⌋ reversed, plus the offset. N = 50 → 981, 961, …, 1. */
export function ddimTimesteps(schedule: DdpmSchedule, numSteps: number, { stepsOffset = 1 }: TimestepOptions = {}): Int32Array {
  const T = schedule.trainSteps;
  if (!Number.isInteger(numSteps) || numSteps < 1 || numSteps > T)
    throw new Error(`DDIM: number of steps must be an integer in [1, ${T}], got ${numSteps}`);
  const ratio = Math.floor(T / numSteps);
  const out = new Int32Array(numSteps);
  for (let i = 0; i < numSteps; i++) out[i] = (numSteps - 1 - i) * ratio + stepsOffset;
  return out;
}

/**
 * img2img: the tail of the timesteps that a strength in (0, 1] keeps (diffusers'
 * `get_timesteps`: ⌊N·strength⌋ steps, starting at index N − that). Strength 1 keeps all.
 */
export function img2imgTimesteps(
  schedule: DdpmSchedule,
  numSteps: number,
  strength: number,
  options?: TimestepOptions,
): { timesteps: Int32Array; startIndex: number } {
  if (!(strength > 0 && strength <= 1)) throw new Error(`img2img strength must be in (0, 1], got ${strength}`);
  const all = ddimTimesteps(schedule, numSteps, options);
  const kept = Math.min(Math.floor(numSteps * strength), numSteps);
  if (kept === 0) throw new Error(`img2img: strength ${strength} × ${numSteps} steps keeps no step; raise either`);
  const startIndex = numSteps - kept;
  return { timesteps: all.slice(startIndex), startIndex };
}

export interface DdimStepInput {
  /** The (guided) noise prediction ε̂ at t. */
  eps: Float32Array;
  /** x_t. */
  sample: Float32Array;
  t: number;
  /** Number of inference steps: the previous timestep is t − ⌊T/N⌋. */
  numSteps: number;
  /** 0 = deterministic DDIM (default), 1 = DDPM-like variance. */
  eta?: number;
  /** Noise for η > 0 (required then); standard normals of the sample's length. */
  varianceNoise?: Float32Array;
  /** Clip the predicted x₀ to [−1, 1] (SD 1.5: false). */
  clipSample?: boolean;
}

/** One DDIM update x_t → x_{t−Δ}; also returns the predicted x₀. */
export function ddimStep(
  schedule: DdpmSchedule,
  { eps, sample, t, numSteps, eta = 0, varianceNoise, clipSample = false }: DdimStepInput,
): { prevSample: Float32Array; predOriginal: Float32Array } {
  if (eps.length !== sample.length) throw new Error(`ddimStep: eps has ${eps.length} values, sample ${sample.length}`);
  if (eta > 0 && (!varianceNoise || varianceNoise.length !== sample.length))
    throw new Error("ddimStep: eta > 0 needs varianceNoise of the sample's length");
  const prevT = t - Math.floor(schedule.trainSteps / numSteps);
  const ab = alphaBar(schedule, t);
  const abPrev = prevT >= 0 ? schedule.alphasCumprod[prevT]! : schedule.finalAlphaCumprod;
  const variance = ((1 - abPrev) / (1 - ab)) * (1 - ab / abPrev);
  const sigma = eta * Math.sqrt(variance);
  const sqrtAb = Math.sqrt(ab), sqrtOneMinusAb = Math.sqrt(1 - ab);
  const sqrtAbPrev = Math.sqrt(abPrev);
  const dirCoef = Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma));
  const prevSample = new Float32Array(sample.length);
  const predOriginal = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    let x0 = (sample[i]! - sqrtOneMinusAb * eps[i]!) / sqrtAb;
    if (clipSample) x0 = Math.min(1, Math.max(-1, x0));
    predOriginal[i] = x0;
    let x = sqrtAbPrev * x0 + dirCoef * eps[i]!;
    if (sigma > 0) x += sigma * varianceNoise![i]!;
    prevSample[i] = x;
  }
  return { prevSample, predOriginal };
}

export interface DdimSampleOptions {
  numSteps: number;
  /** Starting latents: pure noise for sampling, or clean latents x₀ with `strength` for editing. */
  latents: Float32Array;
  /** ε̂(x_t, t), guidance included (e.g. a batch-2 UNet call followed by `cfg`). */
  predictEps: (sample: Float32Array, t: number) => Promise<Float32Array>;
  /** Draws the img2img start noise and η > 0 variance noise. */
  rng: Rng;
  eta?: number;
  /** < 1: treat `latents` as x₀, noise them to the first kept timestep and denoise from there. */
  strength?: number;
  /** Treat `latents` as x₀ and noise them even at strength 1 (editing); default: strength < 1. */
  cleanLatents?: boolean;
  /** Replaces the sample after a step (inpainting keeps the unmasked latents on the original's trajectory). */
  constrain?: (sample: Float32Array, index: number, t: number) => Float32Array;
  /** Called after every step (progress, checkpoints). */
  onStep?: (info: { index: number; t: number; sample: Float32Array; predOriginal: Float32Array }) => void;
}

/** A full DDIM loop (sampling from noise, or img2img editing when strength < 1). */
export async function ddimSample(schedule: DdpmSchedule, options: DdimSampleOptions): Promise<Float32Array> {
  const { numSteps, rng, eta = 0, strength = 1, cleanLatents = strength < 1, constrain, onStep } = options;
  const { timesteps } = img2imgTimesteps(schedule, numSteps, strength);
  let sample: Float32Array = options.latents.slice();
  if (cleanLatents) sample = addNoise(schedule, sample, rng.normals(sample.length), timesteps[0]!);
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i]!;
    const eps = await options.predictEps(sample, t);
    const varianceNoise = eta > 0 ? rng.normals(sample.length) : undefined;
    const { prevSample, predOriginal } = ddimStep(schedule, { eps, sample, t, numSteps, eta, varianceNoise });
    sample = constrain ? constrain(prevSample, i, t) : prevSample;
    onStep?.({ index: i, t, sample, predOriginal });
  }
  return sample;
}
