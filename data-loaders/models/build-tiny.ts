// Writes the tiny profile to a folder: one <role>.onnx per role plus manifest.json with the
// sha256 of every file. Files are written atomically; the manifest goes last, so a folder
// with a manifest is complete.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { projectRoot } from "../io/paths.js";
import { BUILDER_VERSION, buildAllModels, buildCoreModels, DEFAULT_SEED } from "../../models/tiny/build.js";

export const defaultTinyDir = (): string => process.env.DREAMFACE_TINY_DIR ?? join(projectRoot, "models", "tiny");

export interface TinyManifest {
  profile: "tiny";
  note: string;
  seed: number;
  builderVersion: number;
  /** sha256 over the builder's source files: editing a graph makes ensureTinyModels rebuild. */
  sourceHash: string;
  /** "all" (core + the ANIMATION stage's graphs) or "core" (tests that need only the core roles). */
  set: TinySet;
  files: Record<string, { file: string; sha256: string; bytes: number }>;
}

export type TinySet = "all" | "core";

/** Hash of graph.ts, build.ts and (when present) animation.ts. */
export function builderSourceHash(): string {
  const h = createHash("sha256");
  for (const name of ["graph.ts", "build.ts", "animation.ts"]) {
    const path = fileURLToPath(new URL(`../../models/tiny/${name}`, import.meta.url));
    h.update(name);
    if (existsSync(path)) h.update(readFileSync(path));
  }
  return h.digest("hex");
}

export async function writeTinyModels(outDir: string = defaultTinyDir(), seed: number = DEFAULT_SEED, set: TinySet = "all"): Promise<TinyManifest> {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  const models = set === "all" ? await buildAllModels(seed) : buildCoreModels(seed);
  const files: TinyManifest["files"] = {};
  for (const { role, bytes } of models) {
    const file = `${role}.onnx`;
    writeFileAtomic(join(outDir, file), bytes);
    files[role] = { file, sha256: sha256(bytes), bytes: bytes.length };
  }
  const manifest: TinyManifest = {
    profile: "tiny",
    note: "Seeded random weights: outputs are test signals, not faces. Never report quality from them.",
    seed,
    builderVersion: BUILDER_VERSION,
    sourceHash: builderSourceHash(),
    set,
    files,
  };
  writeJsonAtomic(join(outDir, "manifest.json"), manifest);
  return manifest;
}

export function readTinyManifest(dir: string = defaultTinyDir()): TinyManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as TinyManifest;
  } catch {
    return undefined;
  }
}
