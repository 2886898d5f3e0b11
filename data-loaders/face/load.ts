// loadFaceModel: the one entry point other stages use to get the ICT face in Node.
// Parses the OBJ folder once, then serves a binary cache keyed on the source files' paths,
// sizes and mtimes (and the format version), so editing or replacing a file re-parses.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { decodeFaceModel, encodeFaceModel, FACE_BINARY_VERSION } from "../../src/engine/face/binary.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { userCacheDir } from "../io/paths.js";
import { UserError } from "../cli/errors.js";
import { fileStamp, IDENTITY_FILES, readVertexIndices, resolveIctDir, type IctOrigin } from "./source.js";
import { parseIctFolder } from "./parse.js";

export interface LoadFaceOptions {
  /** A FaceXModel folder; default: DREAMFACE_ICT_DIR, the user cache, ../shared. */
  dir?: string;
  /** Skip the binary cache (read and write). */
  noCache?: boolean;
}

export interface LoadInfo {
  dir: string;
  origin: IctOrigin;
  cachePath: string;
  /** "cache" when the binary was reused, "parsed" when the OBJs were read. */
  from: "cache" | "parsed";
}

let lastInfo: LoadInfo | undefined;
/** How the most recent loadFaceModel call was served (for logs, tests and benchmarks). */
export function lastFaceLoadInfo(): LoadInfo | undefined {
  return lastInfo;
}

export function faceCacheDir(): string {
  return join(userCacheDir(), "face-cache");
}

function cacheKey(dir: string): string {
  const names = ["vertex_indices.json", "generic_neutral_mesh.obj", ...IDENTITY_FILES, ...readVertexIndices(dir).expressions.map((e) => `${e}.obj`)];
  return sha256(`v${FACE_BINARY_VERSION}\n` + names.map((name) => fileStamp(dir, name) + "\n").join("")).slice(0, 24);
}

export async function loadFaceModel(opts: LoadFaceOptions = {}): Promise<FaceModel> {
  let resolved: { dir: string; origin: IctOrigin };
  try {
    resolved = resolveIctDir(opts.dir);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const { dir, origin } = resolved;
  // Named <folder hash>-<content key>: a newer parse of the same folder replaces older ones.
  const folderTag = sha256(resolve(dir)).slice(0, 8);
  const cachePath = join(faceCacheDir(), `ict-${folderTag}-${cacheKey(dir)}.dffm`);
  if (!opts.noCache && existsSync(cachePath)) {
    try {
      const model = decodeFaceModel(readFileSync(cachePath));
      lastInfo = { dir, origin, cachePath, from: "cache" };
      return model;
    } catch {
      // A corrupt or outdated cache file is rebuilt below rather than reported.
    }
  }
  let model: FaceModel;
  try {
    model = parseIctFolder(dir);
  } catch (error) {
    throw new UserError(`could not read the ICT-FaceKit model in ${dir}: ${(error as Error).message}`);
  }
  if (!opts.noCache) {
    try {
      writeFileAtomic(cachePath, encodeFaceModel(model));
      for (const f of readdirSync(faceCacheDir())) {
        if (f.startsWith(`ict-${folderTag}-`) && f.endsWith(".dffm") && join(faceCacheDir(), f) !== cachePath) rmSync(join(faceCacheDir(), f), { force: true });
      }
    } catch (error) {
      // A read-only or full cache directory costs speed, not correctness: keep going.
      console.error(`dreamface: warning: could not write the face cache ${cachePath}: ${(error as Error).message}`);
    }
  }
  lastInfo = { dir, origin, cachePath, from: "parsed" };
  return model;
}
