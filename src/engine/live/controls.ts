/**
 * The live page's controls over detail carving: which config keys can be steered while a run
 * goes, their slider ranges, and how a change made at step s enters the config. A change is
 * folded into the key's schedule ("old value before s, new schedule from s"), so the config the
 * run actually read is always one experiment: exporting it reproduces the run, changes included.
 */
import { scheduleValue, scheduleProblem, type Schedule } from "../config/schedule.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";

export interface ControlSpec {
  key: LiveKey;
  label: string;
  min: number;
  max: number;
  step: number;
}

/** Every λ, the guidance scale, the learning rates and the t bounds of carving (paper Eq. 6–8). */
export const CARVE_CONTROLS: readonly ControlSpec[] = [
  { key: "lambdaSds", label: "λ_sds", min: 0, max: 10, step: 0.1 },
  { key: "lambdaShape", label: "λ_sha", min: 0, max: 10, step: 0.1 },
  { key: "lambdaGeo", label: "λ_geo", min: 0, max: 5000, step: 10 },
  { key: "lambdaMap", label: "λ_map", min: 0, max: 100, step: 1 },
  { key: "guidance", label: "guidance", min: 0, max: 200, step: 1 },
  { key: "lrDisplacement", label: "lr V_d", min: 0, max: 0.01, step: 0.0001 },
  { key: "lrNormalMap", label: "lr N_d", min: 0, max: 0.1, step: 0.001 },
  { key: "lrShape", label: "lr β", min: 0, max: 0.01, step: 0.0001 },
  { key: "tMin", label: "t_min", min: 0, max: 1, step: 0.01 },
  { key: "tMax", label: "t_max", min: 0, max: 1, step: 0.01 },
];

export type LiveKey = "lambdaSds" | "lambdaShape" | "lambdaGeo" | "lambdaMap" | "guidance" | "lrDisplacement" | "lrNormalMap" | "lrShape" | "tMin" | "tMax";
export const LIVE_KEYS: readonly LiveKey[] = CARVE_CONTROLS.map((c) => c.key);

/** One control change: the step from which it applies and the schedule the user set. */
export interface ControlChange {
  step: number;
  key: LiveKey;
  value: Schedule;
}

/** A schedule as piecewise-linear points (the editor's form); `last` is the step the curve is drawn to. */
export function toPoints(s: Schedule, last: number): [number, number][] {
  if (typeof s === "number") return [[0, s], [last, s]];
  if (Array.isArray(s)) {
    const [s0, v0, v1, s1] = s as readonly [number, number, number, number];
    return [[s0, v0], [s1, v1]];
  }
  return (s as { points: readonly (readonly [number, number])[] }).points.map(([a, b]) => [a, b]);
}

/**
 * `before` up to step s − 1, `after` from step s on. Exact at every integer step: the joined
 * curve passes through before(s − 1) and after(s), and no step lies between them.
 */
export function spliceSchedule(before: Schedule, after: Schedule, s: number): Schedule {
  if (s <= 0) return after;
  if (typeof before === "number" && typeof after === "number" && before === after) return before;
  const head = toPoints(before, s - 1).filter(([p]) => p < s - 1);
  const tail = toPoints(after, s).filter(([p]) => p > s);
  const points: [number, number][] = [...head, [s - 1, scheduleValue(before, s - 1)], [s, scheduleValue(after, s)], ...tail];
  return { points };
}

/** Checks a control value from the page or the network; throws a one-line error naming it. */
export function checkControl(key: string, value: unknown): asserts key is LiveKey {
  if (!(LIVE_KEYS as readonly string[]).includes(key)) throw new Error(`unknown control "${key}" (controls: ${LIVE_KEYS.join(", ")})`);
  const problem = scheduleProblem(value);
  if (problem) throw new Error(`control ${key}: ${problem}`);
}

/** The mutable carving config a live run reads every step, and the changes made to it. */
export class LiveControls {
  readonly changes: ControlChange[] = [];
  constructor(readonly config: Record<LiveKey, Schedule>) {}

  /** Sets `key` from step `step` on (the next step the run takes). */
  set(key: string, value: unknown, step: number): ControlChange {
    checkControl(key, value);
    const schedule = value as Schedule;
    this.config[key] = spliceSchedule(this.config[key], schedule, step);
    const change = { step, key, value: schedule };
    this.changes.push(change);
    return change;
  }

  /** The keys changed at exactly `step` (the trajectory marks them). */
  changedAt(step: number): LiveKey[] {
    return this.changes.filter((c) => c.step === step).map((c) => c.key);
  }
}

/**
 * The experiment JSON (src/engine/config/experiment.ts) a live run equals: its prompt, seed,
 * profile and steps, with every carving key as the run read it (mid-run changes spliced in).
 * Other sections stay as the base experiment had them.
 */
export function exportExperiment(base: ExperimentInput | Experiment, run: { prompt: string; seed: number; steps: number; config: Record<LiveKey, Schedule> }): ExperimentInput {
  const geometry = (base.geometry ?? {}) as Record<string, unknown>;
  const carving: Record<string, unknown> = { ...((geometry.carving ?? {}) as Record<string, unknown>), steps: run.steps };
  for (const key of LIVE_KEYS) carving[key] = run.config[key];
  return { ...base, prompt: run.prompt, seed: run.seed, geometry: { ...geometry, carving } } as ExperimentInput;
}
