// Makes sure the tiny profile exists and matches the builder, building it when missing or
// stale. Parallel test processes call this at once, so building is serialised by a lock
// directory (mkdir is atomic); a lock older than LOCK_STALE_MS is a crashed builder's.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILDER_VERSION, DEFAULT_SEED } from "../../models/tiny/build.js";
import { sha256 } from "../io/hash.js";
import { builderSourceHash, defaultTinyDir, readTinyManifest, writeTinyModels, type TinyManifest, type TinySet } from "./build-tiny.js";

const LOCK_STALE_MS = 120_000;
/** Files up to this size are re-hashed on every check; larger ones (the animation graphs,
 * ~70 MB each) are compared by size only, so a warm check stays in milliseconds. */
const HASH_LIMIT = 8 * 1024 * 1024;

/** Why the folder is not usable as-is, or undefined when it is. */
export function tinyProblem(dir: string, seed = DEFAULT_SEED, { verifyHashes = true, set = "all" as TinySet } = {}): string | undefined {
  const m = readTinyManifest(dir);
  if (!m) return "no manifest.json";
  if (m.seed !== seed) return `built with seed ${m.seed}, wanted ${seed}`;
  if (set === "all" && m.set !== "all") return "built without the animation graphs";
  if (m.builderVersion !== BUILDER_VERSION || m.sourceHash !== builderSourceHash()) return "built by an older builder";
  for (const [role, f] of Object.entries(m.files)) {
    const path = join(dir, f.file);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return `${f.file} (${role}) is missing`;
    }
    if (size !== f.bytes) return `${f.file} has ${size} bytes, manifest says ${f.bytes}`;
    if (verifyHashes && size <= HASH_LIMIT && sha256(readFileSync(path)) !== f.sha256) return `${f.file} sha256 differs from the manifest`;
  }
  return undefined;
}

/**
 * Builds models/tiny (or `dir`) if missing or stale; returns its manifest. Idempotent, fast
 * when present. `set: "core"` skips the ANIMATION graphs (large; tests of other roles use it).
 */
export async function ensureTinyModels(dir: string = defaultTinyDir(), seed = DEFAULT_SEED, set: TinySet = "all"): Promise<TinyManifest> {
  if (!tinyProblem(dir, seed, { set })) return readTinyManifest(dir)!;
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".build.lock");
  await acquire(lock);
  try {
    // Another process may have finished the build while we waited.
    if (tinyProblem(dir, seed, { set })) await writeTinyModels(dir, seed, set);
    return readTinyManifest(dir)!;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    } catch {
      // The holder released it between our calls: just retry.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
