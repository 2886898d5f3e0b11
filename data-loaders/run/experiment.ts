// Experiments load here and nowhere else: read the file (or start from a base, e.g. the config a
// geometry run recorded), apply the command's typed overrides, validate once with the schema.
// Stage runners take the result; CLI commands turn their flag strings into the overrides.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { parseExperiment, type Experiment } from "../../src/engine/config/experiment.js";

export interface ExperimentOverrides {
  profile?: string;
  seed?: number;
  prompt?: string;
  /** Detail-carving steps (geometry.carving.steps). */
  steps?: number;
  /** Deep-merged over the texture section (CLI flags, the ablation's variants, tests). */
  texture?: Record<string, unknown>;
  /** Used instead of a file when `path` is undefined (e.g. a geometry run's recorded config). */
  base?: Record<string, unknown>;
}

/** The file's JSON, unvalidated; a missing file or bad JSON is a UserError naming the file. */
export function readExperimentFile(path: string): Record<string, unknown> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError(`experiment file not found: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UserError(`experiment file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new UserError(`experiment file ${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

export function loadExperiment(path: string | undefined, overrides: ExperimentOverrides = {}): Experiment {
  let raw: Record<string, unknown> = path ? readExperimentFile(path) : { ...overrides.base };
  if (overrides.texture) raw = { ...raw, texture: deepMerge(isObject(raw.texture) ? raw.texture : {}, overrides.texture) };
  let exp: Experiment;
  try {
    exp = parseExperiment(raw);
  } catch (error) {
    throw new UserError(`${path ?? "experiment"}: ${(error as Error).message}`);
  }
  if (overrides.profile) exp.profile = overrides.profile;
  if (overrides.seed !== undefined) exp.seed = overrides.seed;
  if (overrides.prompt) exp.prompt = overrides.prompt;
  if (overrides.steps !== undefined) exp.geometry.carving.steps = overrides.steps;
  return exp;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isObject(v) && isObject(prev) ? deepMerge(prev, v) : v;
  }
  return out;
}
