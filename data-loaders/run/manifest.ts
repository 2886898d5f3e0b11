// A run's manifest: everything needed to know what produced its files (config, seeds,
// model hashes, timings, code version). Pages read it; it is written atomically.
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { projectRoot } from "../io/paths.js";
import { TINY_PROFILE_LABEL } from "../../src/engine/models/capabilities.js";

/** The tiny profile's label, defined once in the engine (pages and capability tables use it too). */
export const TINY_LABEL = TINY_PROFILE_LABEL;

export interface Manifest {
  stage: string;
  config: unknown;
  seeds: Record<string, number>;
  profile: string;
  /** Shown wherever the outputs are shown; for the tiny profile always TINY_LABEL. */
  label?: string;
  modelHashes?: Record<string, string>;
  /** Milliseconds per named phase. */
  timings?: Record<string, number>;
  inputs?: Record<string, unknown>;
  /** Output files relative to the run dir, with a short description. */
  outputs?: Record<string, string>;
  [extra: string]: unknown;
}

export function profileLabel(profile: string): string | undefined {
  return profile === "tiny" ? TINY_LABEL : undefined;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Writes `<dir>/manifest.json`. Same inputs → same content except `written` and `code`. */
export function writeManifest(dir: string, manifest: Manifest): string {
  const path = join(dir, "manifest.json");
  writeJsonAtomic(path, {
    ...manifest,
    label: manifest.label ?? profileLabel(manifest.profile),
    code: { commit: gitCommit(), node: process.version },
    written: new Date().toISOString(),
  });
  return path;
}

export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, "manifest.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Manifest) : undefined;
}
