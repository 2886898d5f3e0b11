/**
 * The live page's controls over detail carving: which config keys can be steered while a run
 * goes, their slider ranges, and how a change made at step s enters the config. A change is
 * folded into the key's schedule ("old value before s, new schedule from s"), so the config the
 * run actually read is always one experiment: exporting it reproduces the run, changes included.
 */
import { scheduleValue, scheduleProblem, type Schedule } from "../config/schedule.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";
import type { TextureConfig } from "../stages/texture/config.js";

export interface ControlSpec {
  key: string;
  label: string;
  min: number;
  max: number;
  step: number;
  /** Where the key lives in the stage config when not at its top level (texture: latent.lr). */
  path?: readonly [string, string];
}

/** Every λ, the guidance scale, the learning rates and the t bounds of carving (paper Eq. 6–8); keys are LiveKey. */
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

/**
 * Latent-space texture SDS (paper Sec. 5.2.1, Eq. 10–12): λ_g, λ_τ, both guidance scales, the
 * latent stage's learning rate and the t bounds. The live page runs the latent stage only.
 */
export const TEXTURE_CONTROLS: readonly ControlSpec[] = [
  { key: "lambdaGeneric", label: "λ_g", min: 0, max: 10, step: 0.1 },
  { key: "lambdaTexture", label: "λ_τ", min: 0, max: 10, step: 0.1 },
  { key: "guidanceGeneric", label: "guidance generic", min: 0, max: 200, step: 1 },
  { key: "guidanceTexture", label: "guidance texture", min: 0, max: 50, step: 0.5 },
  { key: "latentLr", label: "lr z", min: 0, max: 1, step: 0.01, path: ["latent", "lr"] },
  { key: "tMin", label: "t_min", min: 0, max: 1, step: 0.01 },
  { key: "tMax", label: "t_max", min: 0, max: 1, step: 0.01 },
];

/** The controls of each live stage. */
export const STAGE_CONTROLS = { carving: CARVE_CONTROLS, texture: TEXTURE_CONTROLS } as const;
export type LiveStage = keyof typeof STAGE_CONTROLS;

export type LiveKey = "lambdaSds" | "lambdaShape" | "lambdaGeo" | "lambdaMap" | "guidance" | "lrDisplacement" | "lrNormalMap" | "lrShape" | "tMin" | "tMax";
export const LIVE_KEYS: readonly LiveKey[] = CARVE_CONTROLS.map((c) => c.key as LiveKey);

/** One control change: the step from which it applies and the schedule the user set. */
export interface ControlChange {
  step: number;
  key: string;
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
export function checkControl(key: string, value: unknown, specs: readonly ControlSpec[] = CARVE_CONTROLS): void {
  if (!specs.some((c) => c.key === key)) throw new Error(`unknown control "${key}" (controls: ${specs.map((c) => c.key).join(", ")})`);
  const problem = scheduleProblem(value);
  if (problem) throw new Error(`control ${key}: ${problem}`);
}

/** The object holding a control's value in a stage config, and the field name there. */
function slot(config: Record<string, unknown>, spec: ControlSpec): [Record<string, Schedule>, string] {
  if (!spec.path) return [config as Record<string, Schedule>, spec.key];
  return [config[spec.path[0]] as Record<string, Schedule>, spec.path[1]];
}

/** A control's current schedule in a stage config. */
export function controlValue(config: Record<string, unknown>, spec: ControlSpec): Schedule {
  const [holder, field] = slot(config, spec);
  return holder[field]!;
}

/** The mutable stage config a live run reads every step, and the changes made to it. */
export class LiveControls {
  readonly changes: ControlChange[] = [];
  constructor(
    readonly config: Record<string, unknown>,
    readonly specs: readonly ControlSpec[] = CARVE_CONTROLS,
  ) {}

  /** Sets `key` from step `step` on (the next step the run takes). */
  set(key: string, value: unknown, step: number): ControlChange {
    checkControl(key, value, this.specs);
    const schedule = value as Schedule;
    const [holder, field] = slot(this.config, this.specs.find((c) => c.key === key)!);
    holder[field] = spliceSchedule(holder[field]!, schedule, step);
    const change = { step, key, value: schedule };
    this.changes.push(change);
    return change;
  }

  /** The keys changed at exactly `step` (the trajectory marks them). */
  changedAt(step: number): string[] {
    return this.changes.filter((c) => c.step === step).map((c) => c.key);
  }
}

/**
 * The experiment JSON (src/engine/config/experiment.ts) a live run equals: its prompt, seed,
 * profile and steps, with every carving key as the run read it (mid-run changes spliced in).
 * Other sections stay as the base experiment had them.
 */
export function exportExperiment(base: ExperimentInput | Experiment, run: { prompt: string; seed: number; steps: number; config: Record<string, unknown>; texture?: TextureConfig }): ExperimentInput {
  const geometry = (base.geometry ?? {}) as Record<string, unknown>;
  const carving: Record<string, unknown> = { ...((geometry.carving ?? {}) as Record<string, unknown>), steps: run.steps };
  for (const key of LIVE_KEYS) carving[key] = run.config[key];
  const out = { ...base, prompt: run.prompt, seed: run.seed, geometry: { ...geometry, carving } } as ExperimentInput;
  // Texture runs on the carving above (T† and N_d after `steps` steps): its whole section, as read.
  return run.texture ? ({ ...out, texture: structuredClone(run.texture) } as ExperimentInput) : out;
}
