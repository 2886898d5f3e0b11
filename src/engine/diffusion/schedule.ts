/**
 * The DDPM noise schedule of Stable Diffusion 1.5 (diffusers' DDIMScheduler/PNDMScheduler
 * config): "scaled_linear" β from 0.00085 to 0.012 over T = 1000 steps, ᾱ_t = ∏_{i≤t}(1 − β_i).
 *
 * Computed in float64. diffusers builds β with a float32 linspace and a float32 cumprod, so
 * its ᾱ_t differs from ours by up to ~5e-7 relative (e.g. ᾱ₄₉₉ 0.2776695 vs 0.2776697);
 * that is far below anything SDS or DDIM can notice, and float64 makes the values the same
 * on every platform.
 */
export interface DdpmScheduleOptions {
  /** Default 0.00085. */
  betaStart?: number;
  /** Default 0.012. */
  betaEnd?: number;
  /** Number of training timesteps T. Default 1000. */
  trainSteps?: number;
  /** "scaled_linear" (SD 1.x: linear in √β) or "linear". Default "scaled_linear". */
  betaSchedule?: "scaled_linear" | "linear";
  /** ᾱ used for the step after t = 0: 1 if true, else ᾱ₀. SD 1.5 uses false. */
  setAlphaToOne?: boolean;
}

export interface DdpmSchedule {
  readonly trainSteps: number;
  readonly betas: Float64Array;
  /** ᾱ_t (diffusers' `alphas_cumprod`), index t = 0..T−1. */
  readonly alphasCumprod: Float64Array;
  /** ᾱ for "t = −1", used by the last DDIM step. */
  readonly finalAlphaCumprod: number;
}

export function ddpmSchedule({
  betaStart = 0.00085,
  betaEnd = 0.012,
  trainSteps = 1000,
  betaSchedule = "scaled_linear",
  setAlphaToOne = false,
}: DdpmScheduleOptions = {}): DdpmSchedule {
  if (!Number.isInteger(trainSteps) || trainSteps < 2) throw new Error(`ddpmSchedule: trainSteps must be an integer ≥ 2, got ${trainSteps}`);
  if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd))
    throw new Error(`ddpmSchedule: need 0 < betaStart ≤ betaEnd < 1, got ${betaStart}, ${betaEnd}`);
  const betas = new Float64Array(trainSteps);
  const alphasCumprod = new Float64Array(trainSteps);
  const a = betaSchedule === "scaled_linear" ? Math.sqrt(betaStart) : betaStart;
  const b = betaSchedule === "scaled_linear" ? Math.sqrt(betaEnd) : betaEnd;
  let product = 1;
  for (let i = 0; i < trainSteps; i++) {
    const x = a + ((b - a) * i) / (trainSteps - 1);
    betas[i] = betaSchedule === "scaled_linear" ? x * x : x;
    product *= 1 - betas[i]!;
    alphasCumprod[i] = product;
  }
  return { trainSteps, betas, alphasCumprod, finalAlphaCumprod: setAlphaToOne ? 1 : alphasCumprod[0]! };
}

/** ᾱ_t with a clear error for a timestep outside 0..T−1. */
export function alphaBar(schedule: DdpmSchedule, t: number): number {
  if (!Number.isInteger(t) || t < 0 || t >= schedule.trainSteps)
    throw new Error(`timestep must be an integer in [0, ${schedule.trainSteps - 1}], got ${t}`);
  return schedule.alphasCumprod[t]!;
}
