/**
 * Which diffusion timestep t an SDS optimization step uses. Bounds are fractions of T, like
 * threestudio's min/max_step_percent, and each may itself be a Schedule over steps.
 *
 * - "uniform": t drawn uniformly from the integers [⌊min·T⌋, ⌊max·T⌋] every step
 *   (DreamFusion; DreamFace's geometry stage, paper Sec. 4.2). Default [0.02, 0.98].
 * - "decreasing": t falls in equal intervals from ⌊max·T⌋ at the first step to ⌊min·T⌋ at
 *   the last, as in a real denoising run (DreamFace's texture stage, paper Sec. 5.2.1).
 *   Default [0, 0.98]: the paper goes down to t = 0.
 * - "custom": t = value·T of any Schedule (e.g. `[0, 0.98, 0.5, 2000]`).
 */
import { scheduleValue, type Schedule } from "../config/schedule.js";
import type { Rng } from "../util/rng.js";

export type TimestepSchedule =
  | { readonly kind: "uniform"; readonly min?: Schedule; readonly max?: Schedule }
  | { readonly kind: "decreasing"; readonly min?: number; readonly max?: number }
  | { readonly kind: "custom"; readonly value: Schedule };

const DEFAULT_MIN = 0.02;
const DEFAULT_MAX = 0.98;
const DEFAULT_DECREASING_MIN = 0;

/** ⌊fraction·T⌋ as a valid timestep index in [0, T − 1]. */
export function fractionToTimestep(fraction: number, trainSteps = 1000): number {
  return toStep(fraction, trainSteps);
}

function toStep(fraction: number, trainSteps: number): number {
  return Math.min(trainSteps - 1, Math.max(0, Math.floor(fraction * trainSteps + 1e-9)));
}

/**
 * The timestep for optimization step `step` (0-based) of `totalSteps`. Only "uniform" draws
 * from `rng` (one draw per call), so a resumed run that restores the Rng state repeats t.
 */
export function timestepAt(schedule: TimestepSchedule, step: number, totalSteps: number, rng: Rng, trainSteps = 1000): number {
  switch (schedule.kind) {
    case "uniform": {
      const lo = toStep(scheduleValue(schedule.min ?? DEFAULT_MIN, step), trainSteps);
      const hi = toStep(scheduleValue(schedule.max ?? DEFAULT_MAX, step), trainSteps);
      return rng.int(Math.min(lo, hi), Math.max(lo, hi));
    }
    case "decreasing": {
      const hi = toStep(schedule.max ?? DEFAULT_MAX, trainSteps);
      const lo = toStep(schedule.min ?? DEFAULT_DECREASING_MIN, trainSteps);
      if (totalSteps <= 1) return hi;
      const f = Math.min(1, Math.max(0, step / (totalSteps - 1)));
      return Math.round(hi - (hi - lo) * f);
    }
    case "custom":
      return toStep(scheduleValue(schedule.value, step), trainSteps);
    default:
      throw new Error(`unknown timestep schedule ${JSON.stringify(schedule)}`);
  }
}
