/**
 * The diffusion timestep of each texture step (paper Sec. 5.2.1: "we decrease t with equal
 * intervals from t_max to 0").
 *
 * - "decreasing", descent "across-stages" (default): ONE descent over the latent and image
 *   steps together, t_max at the first latent step, t_min (default 0) at the last image step,
 *   equal intervals throughout, so the image stage continues where the latent stage stopped.
 *   With `imageTMax` set, the latent stage descends from t_max towards it (its last step one
 *   interval above) and the image stage from it to t_min.
 * - "decreasing", descent "per-stage": each stage walks its own t_max → t_min (the image
 *   stage's t_max is `imageTMax`, else tMax).
 * - "uniform": drawn from a stream derived from (seed, step), so a resumed run draws the same t.
 *
 * Every t is an integer timestep index in [0, T − 1] (ᾱ_0 is the scheduler's first entry).
 * Schedule-valued bounds are read at the descent's first step.
 */
import { scheduleValue } from "../../config/schedule.js";
import { fractionToTimestep, timestepAt } from "../../diffusion/timesteps.js";
import { Rng } from "../../util/rng.js";
import type { TextureConfig } from "./config.js";

/** How many steps each stage runs (variantPlan's counts). */
export interface TextureStages {
  latentSteps: number;
  imageSteps: number;
}

/** `top` at k = 0 down to `bottom` at k = n − 1 in equal intervals. */
function ramp(top: number, bottom: number, k: number, n: number): number {
  return n <= 1 ? top : Math.round(top - ((top - bottom) * k) / (n - 1));
}

/** The timestep of global texture step `step` (latent steps first, then image steps). */
export function textureTimestep(
  config: Pick<TextureConfig, "timesteps" | "tMin" | "tMax" | "descent" | "imageTMax">,
  stages: TextureStages,
  step: number,
  seed: number,
  trainSteps = 1000,
): number {
  const { latentSteps: L, imageSteps: I } = stages;
  if (config.timesteps === "uniform")
    return timestepAt({ kind: "uniform", min: config.tMin, max: config.tMax }, step, L + I, Rng.derive(seed, "texture", "t", step), trainSteps);
  const image = step >= L;
  const t = (fraction: number) => fractionToTimestep(fraction, trainSteps);
  const imageTop = config.imageTMax === undefined ? undefined : t(config.imageTMax);
  if (config.descent === "per-stage") {
    const start = image ? L : 0;
    const top = image && imageTop !== undefined ? imageTop : t(scheduleValue(config.tMax, start));
    const bottom = t(scheduleValue(config.tMin, start));
    return image ? ramp(top, bottom, step - L, I) : ramp(top, bottom, step, L);
  }
  const top = t(scheduleValue(config.tMax, 0));
  const bottom = t(scheduleValue(config.tMin, 0));
  if (imageTop === undefined) return ramp(top, bottom, step, L + I);
  if (L > 0 && imageTop > top) throw new Error(`texture.imageTMax (${config.imageTMax}) is above tMax: with descent "across-stages" t must not rise between the stages`);
  if (image) return ramp(imageTop, bottom, step - L, I);
  return Math.round(top - ((top - imageTop) * step) / L);
}
