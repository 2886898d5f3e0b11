/**
 * The diffusion timestep of each texture step. Each stage (latent, image) runs its own
 * schedule: "decreasing" walks t_max → t_min in equal steps over the stage (paper Sec. 5.2.1),
 * "uniform" draws from a stream derived from (seed, step) so a resumed run draws the same t.
 */
import { scheduleValue } from "../../config/schedule.js";
import { timestepAt, type TimestepSchedule } from "../../diffusion/timesteps.js";
import { Rng } from "../../util/rng.js";
import type { TextureConfig } from "./config.js";

export function stageTimestep(config: TextureConfig, step: number, stageStep: number, stageSteps: number, seed: number): number {
  const stageStart = step - stageStep;
  const schedule: TimestepSchedule =
    config.timesteps === "decreasing"
      ? { kind: "decreasing", min: scheduleValue(config.tMin, stageStart), max: scheduleValue(config.tMax, stageStart) }
      : { kind: "uniform", min: config.tMin, max: config.tMax };
  // Uniform schedules read their bounds at the global step; decreasing ones at the stage step.
  const at = config.timesteps === "decreasing" ? stageStep : step;
  return timestepAt(schedule, at, stageSteps, Rng.derive(seed, "texture", "t", step));
}
