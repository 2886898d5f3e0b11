// Where pools live when the user names no folder, and the small default pool the geometry
// stage builds once into the user cache when no --pool is given.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resultsDir, userCacheDir } from "../io/paths.js";
import { buildPool } from "./pool-build.js";
import { mergePool } from "./pool-merge.js";
import { mergedDir } from "./pool-files.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { dependencyKey } from "../io/dependency-key.js";
import { profileDir } from "../models/backend-node.js";

/**
 * Candidates in the default pool per profile. The paper ranks 1M identities; tiny keeps 64
 * (a test signal: the same pool, size and seed, as the geometry page's demo pool, so a clean
 * cache, as the site tests build with, embeds one small pool, not two); sd15 builds 10k once
 * into the user cache (resumable chunk by chunk, with a progress bar). The paper's 1M is an
 * explicit `pool build` with array jobs (README, Geometry).
 */
export const DEFAULT_POOL_SIZES: Readonly<Record<string, number>> = { tiny: 64, sd15: 10_000 };

/** The default pool's size for a profile; an experiment's explicit geometry.ranking.defaultPoolSize wins. */
export function defaultPoolSize(profile: string, explicit?: number): number {
  return explicit ?? DEFAULT_POOL_SIZES[profile] ?? DEFAULT_POOL_SIZES.tiny!;
}

/**
 * The cached default pool's folder for a profile, size and seed, keyed by the pool code and
 * the profile's model files: a change to either builds a new pool instead of serving the old.
 */
export const cachedPoolDir = (profile: string, size: number, seed: number): string =>
  join(userCacheDir(), "pools", `${profile}-${size}-seed${seed}-${poolKey(profile)}`);

/** The dependency key of a pool built with `profile`. */
export function poolKey(profile: string): string {
  return dependencyKey({ entries: [POOL_BUILD, POOL_MERGE], modelDirs: [profileDir(profile)] });
}
const POOL_BUILD = new URL("./pool-build.ts", import.meta.url).pathname;
const POOL_MERGE = new URL("./pool-merge.ts", import.meta.url).pathname;

export const defaultPoolDir = (size: number, seed: number): string => join(resultsDir(), "pools", `pool-${size}-seed${seed}`);

/** Builds (resuming if interrupted, with a progress bar unless quiet) and merges the cached default pool for a profile; returns its folder. */
export async function ensureDefaultPool({ profile, size, seed, backend, quiet }: { profile: string; size: number; seed: number; backend?: Backend; quiet?: boolean }): Promise<string> {
  const dir = cachedPoolDir(profile, size, seed);
  if (existsSync(join(mergedDir(dir), "merged.json"))) return dir;
  await buildPool({ out: dir, size, seed, profile, chunkSize: Math.min(256, size), backend, quiet });
  await mergePool(dir);
  return dir;
}
