// Test access to the ICT-FaceKit originals in ../shared (tests and CI only; users run `dreamface setup`).
import { join } from "node:path";
import { sharedDir } from "../../data-loaders/io/paths.js";
import { readIctFile } from "../../data-loaders/face/source.js";
import { parseObjPositions } from "../../src/engine/face/obj.js";

export function sharedIctDir(): string {
  const shared = sharedDir();
  if (!shared) throw new Error("these tests need ../shared/ict-facekit (or DREAMFACE_SHARED_DIR)");
  return join(shared, "ict-facekit", "FaceXModel");
}

/** Absolute positions `[26719*3]` of one original file, e.g. "identity007.obj". */
export function originalPositions(file: string): Float64Array {
  return parseObjPositions(readIctFile(sharedIctDir(), file), new Float64Array(26719 * 3), file);
}

/** Largest absolute difference over the first `n` values. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length)): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
