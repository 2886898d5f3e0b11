// Where the project finds data it does not commit.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Project root: the CLI, loaders and tests all run with it as working directory or find it from here. */
export const projectRoot = resolve(new URL("../..", import.meta.url).pathname);

/** The shared data folder used by tests and CI (`../shared` beside the clone), if present. */
export function sharedDir(): string | undefined {
  const fromEnv = process.env.DREAMFACE_SHARED_DIR;
  if (fromEnv) return resolve(fromEnv);
  const sibling = resolve(projectRoot, "..", "shared");
  return existsSync(sibling) ? sibling : undefined;
}

/** Per-user cache filled by `dreamface setup` and `dreamface models pull` (XDG layout). */
export function userCacheDir(): string {
  const base = process.env.DREAMFACE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "dreamface");
  return resolve(base);
}

/** Results root (runs, bench, DuckDB); overridable so tests write to a temp dir. */
export function resultsDir(): string {
  return resolve(process.env.DREAMFACE_RESULTS_DIR ?? join(projectRoot, "results"));
}
