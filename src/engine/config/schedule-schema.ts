/**
 * The zod schema of a Schedule (see schedule.ts), shared by every stage's config so that
 * any λ, guidance scale, learning rate or t bound can be a number or a schedule.
 */
import { z } from "zod";
import { scheduleProblem, type Schedule } from "./schedule.js";

export const scheduleSchema = z.custom<Schedule>((value) => scheduleProblem(value) === undefined, {
  message: "must be a number, [startStep, startValue, endValue, endStep] or {points: [[step, value], …]}",
});

/** A non-negative schedule (weights, guidance scales, learning rates): checks the values it can take. */
export const nonNegativeScheduleSchema = scheduleSchema.refine((s) => scheduleValues(s).every((v) => v >= 0), {
  message: "must not take negative values",
});

/** A schedule of a fraction of the diffusion steps (t bounds): every value in [0, 1]. */
export const fractionScheduleSchema = scheduleSchema.refine((s) => scheduleValues(s).every((v) => v >= 0 && v <= 1), {
  message: "must stay within [0, 1] (a fraction of the 1000 diffusion steps)",
});

/** For an object with t bounds: a constant tMin above a constant tMax is a mistake (an empty range). */
export const tRangeOrdered = (c: { tMin?: unknown; tMax?: unknown }): boolean => !(typeof c.tMin === "number" && typeof c.tMax === "number" && c.tMin > c.tMax);
export const T_RANGE_MESSAGE = { message: "tMin exceeds tMax", path: ["tMin"] };

/** The values a schedule passes through at its breakpoints (it is linear in between). */
export function scheduleValues(s: Schedule): number[] {
  if (typeof s === "number") return [s];
  if (Array.isArray(s)) return [s[1] as number, s[2] as number];
  return (s as { points: readonly (readonly [number, number])[] }).points.map((p) => p[1]);
}
