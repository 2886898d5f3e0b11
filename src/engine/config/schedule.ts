/**
 * Any scalar of an experiment (a λ, a guidance scale, a learning rate, t_max) may be a
 * schedule over optimization steps, as in threestudio: a number, or
 * `[startStep, startValue, endValue, endStep]` (linear in between, constant outside), or a
 * piecewise-linear list of `[step, value]` points.
 */
export type Schedule =
  | number
  | readonly [startStep: number, startValue: number, endValue: number, endStep: number]
  | { readonly points: readonly (readonly [step: number, value: number])[] };

/** The value of a schedule at an optimization step. */
export function scheduleValue(schedule: Schedule, step: number): number {
  if (typeof schedule === "number") return schedule;
  if (Array.isArray(schedule)) {
    const [s0, v0, v1, s1] = schedule as readonly [number, number, number, number];
    if (step <= s0) return v0;
    if (step >= s1) return v1;
    return v0 + ((v1 - v0) * (step - s0)) / (s1 - s0);
  }
  const points = (schedule as { points: readonly (readonly [number, number])[] }).points;
  if (points.length === 0) throw new Error("schedule has no points");
  if (step <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [sa, va] = points[i - 1]!;
    const [sb, vb] = points[i]!;
    if (step <= sb) return sb === sa ? vb : va + ((vb - va) * (step - sa)) / (sb - sa);
  }
  return points[points.length - 1]![1];
}

/** Checks a schedule's shape; returns a message naming the problem, or undefined. */
export function scheduleProblem(schedule: unknown): string | undefined {
  if (typeof schedule === "number") return Number.isFinite(schedule) ? undefined : "is not a finite number";
  if (Array.isArray(schedule)) {
    if (schedule.length !== 4 || !schedule.every((x) => typeof x === "number" && Number.isFinite(x)))
      return "must be [startStep, startValue, endValue, endStep] of finite numbers";
    if (schedule[3] < schedule[0]) return "endStep must not precede startStep";
    return undefined;
  }
  if (schedule && typeof schedule === "object" && Array.isArray((schedule as { points?: unknown }).points)) {
    const pts = (schedule as { points: unknown[] }).points;
    if (pts.length === 0) return "points must not be empty";
    let last = -Infinity;
    for (const p of pts) {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === "number" && Number.isFinite(x)))
        return "each point must be [step, value] of finite numbers";
      if (p[0] < last) return "points must be in increasing step order";
      last = p[0];
    }
    return undefined;
  }
  return "must be a number, [startStep, startValue, endValue, endStep] or {points: [[step, value], …]}";
}
