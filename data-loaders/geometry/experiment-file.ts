// Reading an experiment file (experiments/*.json) from disk, shared by the geometry and texture
// stages: each then applies its own defaults and overrides and validates with parseExperiment.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../cli/errors.js";

/** The file's JSON, unvalidated; a missing file or bad JSON is a UserError naming the file. */
export function readExperimentFile(path: string): Record<string, unknown> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError(`experiment file not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`experiment file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
