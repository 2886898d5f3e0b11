// Where the ICT-FaceKit files come from, and reading them whether or not they are gzipped.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ICT_IDENTITY_COUNT } from "../../src/engine/face/ict.js";
import { sharedDir, userCacheDir } from "../io/paths.js";

export type IctOrigin = "option" | "DREAMFACE_ICT_DIR" | "user cache" | "shared";

/** The folder `dreamface setup` fills. */
export function ictCacheDir(): string {
  return join(userCacheDir(), "ict-facekit", "FaceXModel");
}

/** True when `dir` holds the files a model needs (neutral mesh and vertex_indices.json). */
export function looksLikeIctDir(dir: string): boolean {
  return existsSync(join(dir, "vertex_indices.json")) && findIctFile(dir, "generic_neutral_mesh.obj") !== undefined;
}

/**
 * Resolution order: an explicit dir, DREAMFACE_ICT_DIR, the user cache filled by
 * `dreamface setup`, then ../shared/ict-facekit/FaceXModel (tests and CI).
 */
export function resolveIctDir(dir?: string): { dir: string; origin: IctOrigin } {
  if (dir) {
    if (!looksLikeIctDir(dir)) throw new Error(`${dir} is not an ICT-FaceKit FaceXModel folder (needs generic_neutral_mesh.obj[.gz] and vertex_indices.json)`);
    return { dir, origin: "option" };
  }
  const env = process.env.DREAMFACE_ICT_DIR;
  if (env) {
    if (!looksLikeIctDir(env)) throw new Error(`DREAMFACE_ICT_DIR=${env} is not an ICT-FaceKit FaceXModel folder (needs generic_neutral_mesh.obj[.gz] and vertex_indices.json)`);
    return { dir: env, origin: "DREAMFACE_ICT_DIR" };
  }
  const cached = ictCacheDir();
  if (looksLikeIctDir(cached)) return { dir: cached, origin: "user cache" };
  const shared = sharedDir();
  const sharedIct = shared && join(shared, "ict-facekit", "FaceXModel");
  if (sharedIct && looksLikeIctDir(sharedIct)) return { dir: sharedIct, origin: "shared" };
  throw new Error(
    `the ICT-FaceKit face model was not found. Looked in: DREAMFACE_ICT_DIR (unset), ${cached}` +
      (sharedIct ? `, ${sharedIct}` : ", ../shared/ict-facekit/FaceXModel (absent)") +
      `. Run \`dreamface setup\` to download it (or \`dreamface setup --from DIR\` for a local copy), or set DREAMFACE_ICT_DIR.`,
  );
}

/** Path of `name` (e.g. "identity007.obj") in `dir`, plain or gzipped. */
export function findIctFile(dir: string, name: string): string | undefined {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  const gz = plain + ".gz";
  return existsSync(gz) ? gz : undefined;
}

export function readIctFile(dir: string, name: string): Buffer {
  const path = findIctFile(dir, name);
  if (!path) throw new Error(`${join(dir, name)}[.gz] is missing. Run \`dreamface setup\` to fetch the complete ICT-FaceKit model.`);
  const raw = readFileSync(path);
  return path.endsWith(".gz") ? gunzipSync(raw) : raw;
}

/** Size and mtime of the file actually used for `name`: cheap content fingerprint for the cache key. */
export function fileStamp(dir: string, name: string): string {
  const path = findIctFile(dir, name);
  if (!path) return `${name}:missing`;
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
}

export interface VertexIndices {
  expressions: string[];
}

export function readVertexIndices(dir: string): VertexIndices {
  const json = JSON.parse(readIctFile(dir, "vertex_indices.json").toString("utf8")) as Partial<VertexIndices>;
  if (!Array.isArray(json.expressions) || !json.expressions.every((x) => typeof x === "string")) {
    throw new Error(`${join(dir, "vertex_indices.json")} has no "expressions" list of names`);
  }
  return { expressions: json.expressions };
}

export const IDENTITY_FILES = Array.from({ length: ICT_IDENTITY_COUNT }, (_, i) => `identity${String(i).padStart(3, "0")}.obj`);
