// Where pools live when the user names no folder, and the small default pool the geometry
// stage builds once into the user cache when no --pool is given.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resultsDir, userCacheDir } from "../io/paths.js";
import { buildPool } from "./pool-build.js";
import { mergePool } from "./pool-merge.js";
import { mergedDir } from "./pool-files.js";
import type { Backend } from "../../src/engine/models/backend.js";

export const defaultPoolDir = (size: number, seed: number): string => join(resultsDir(), "pools", `pool-${size}-seed${seed}`);

/** Builds (resuming if interrupted) and merges the cached default pool for a profile; returns its folder. */
export async function ensureDefaultPool({ profile, size, seed, backend, quiet }: { profile: string; size: number; seed: number; backend?: Backend; quiet?: boolean }): Promise<string> {
  const dir = join(userCacheDir(), "pools", `${profile}-${size}-seed${seed}`);
  if (existsSync(join(mergedDir(dir), "merged.json"))) return dir;
  await buildPool({ out: dir, size, seed, profile, chunkSize: Math.min(256, size), backend, quiet });
  await mergePool(dir);
  return dir;
}
