/**
 * Score distillation sampling (DreamFusion): the gradient w.r.t. the clean latents is
 * w(t)·(ε̂(x_t, t) − ε), with ε the noise that made x_t. Written after threestudio's
 * StableDiffusionGuidance: NaN/±∞ are replaced like torch.nan_to_num, then an optional clamp.
 */
import { alphaBar, type DdpmSchedule } from "./schedule.js";
import { SDS_WEIGHTINGS, type SdsWeighting } from "../config/weighting.js";

/**
 * w(t): "sds" = 1 − ᾱ_t (σ_t², DreamFusion's default), "uniform" = 1,
 * "fantasia3d" = √ᾱ_t·(1 − ᾱ_t).
 */
export function sdsWeight(schedule: DdpmSchedule, t: number, weighting: SdsWeighting): number {
  const ab = alphaBar(schedule, t);
  switch (weighting) {
    case "sds":
      return 1 - ab;
    case "uniform":
      return 1;
    case "fantasia3d":
      return Math.sqrt(ab) * (1 - ab);
    default:
      throw new Error(`unknown SDS weighting ${JSON.stringify(weighting)} (expected ${SDS_WEIGHTINGS.join(", ")})`);
  }
}

export interface SdsGradInput {
  schedule: DdpmSchedule;
  /** Guided noise prediction ε̂. */
  eps: Float32Array;
  /** The noise ε added to the latents. */
  noise: Float32Array;
  t: number;
  weighting?: SdsWeighting;
  /** Clamp every component to ±clamp after nan_to_num (threestudio's grad_clip_val). */
  clamp?: number;
  /** Batch size the latents hold (divides the logged loss, as threestudio does). Default 1. */
  batchSize?: number;
  out?: Float32Array;
}

export interface SdsGradResult {
  /** dL/d(latents), same length as eps. */
  grad: Float32Array;
  /**
   * The logged "loss": 0.5·‖grad‖²/batch. threestudio builds it as
   * 0.5·mse_sum(latents, (latents − grad).detach())/batch so autograd sees `grad`; the value is
   * a surrogate for logging and trends, not an objective that decreases.
   */
  loss: number;
  /** ‖grad‖₂, for logs. */
  gradNorm: number;
  weight: number;
}

const F32_MAX = 3.4028234663852886e38;

export function sdsGrad({ schedule, eps, noise, t, weighting = "sds", clamp, batchSize = 1, out }: SdsGradInput): SdsGradResult {
  if (noise.length !== eps.length) throw new Error(`sdsGrad: eps has ${eps.length} values, noise ${noise.length}`);
  if (clamp !== undefined && !(clamp > 0)) throw new Error(`sdsGrad: clamp must be > 0, got ${clamp}`);
  const grad = out ?? new Float32Array(eps.length);
  if (grad.length !== eps.length) throw new Error(`sdsGrad: out has ${grad.length} values, expected ${eps.length}`);
  const w = sdsWeight(schedule, t, weighting);
  let sq = 0;
  for (let i = 0; i < eps.length; i++) {
    let g = w * (eps[i]! - noise[i]!);
    // torch.nan_to_num defaults: NaN → 0, ±∞ → ±float32 max.
    if (Number.isNaN(g)) g = 0;
    else if (g === Infinity) g = F32_MAX;
    else if (g === -Infinity) g = -F32_MAX;
    if (clamp !== undefined) g = Math.min(clamp, Math.max(-clamp, g));
    grad[i] = g;
    sq += grad[i]! * grad[i]!;
  }
  return { grad, loss: (0.5 * sq) / batchSize, gradNorm: Math.sqrt(sq), weight: w };
}
