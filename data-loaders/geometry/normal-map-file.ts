// N_d's hand-off from the geometry stage to the texture stage at full precision:
// `normal-map.f32` holds the raw little-endian float32 tangent-space vectors exactly as carving
// optimised and rendered them ([height×width×3], an atlas of M² tiles side by side, row 0 = the top row of the map, as rendered;
// not renormalised), and `normal-map.json` is its small header (format, size, channels, byte
// count, sha256 of the .f32). The 16-bit `normal-map.png` beside them is for export and viewing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { UserError } from "../cli/errors.js";
import type { DetailNormalMap } from "../../src/engine/stages/texture/scene.js";

export const NORMAL_MAP_F32 = "normal-map.f32";
export const NORMAL_MAP_HEADER = "normal-map.json";

export interface NormalMapHeader {
  format: "float32-le";
  layout: "HWC, row 0 = top, tangent-space xyz (flat = 0, 0, 1), not renormalised";
  width: number;
  height: number;
  channels: 3;
  bytes: number;
  sha256: string;
  /** The run's profile label (profileLabel: the tiny profile's test-signal line); absent for real models. */
  label?: string;
}

/** Writes the .f32 then its header (the header names the .f32's hash, so a torn pair is detected). */
export function writeNormalMapF32(dir: string, data: Float32Array, width: number, height = width, label?: string): NormalMapHeader {
  if (data.length !== width * height * 3) throw new Error(`normal map: ${data.length} values for ${height}×${width}×3`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  // Float32Array is host-endian; every platform Node runs on here is little-endian.
  const header: NormalMapHeader = {
    format: "float32-le",
    layout: "HWC, row 0 = top, tangent-space xyz (flat = 0, 0, 1), not renormalised",
    width,
    height,
    channels: 3,
    bytes: bytes.byteLength,
    sha256: sha256(bytes),
    ...(label === undefined ? {} : { label }),
  };
  writeFileAtomic(join(dir, NORMAL_MAP_F32), bytes);
  writeJsonAtomic(join(dir, NORMAL_MAP_HEADER), header);
  return header;
}

/** The float N_d of a geometry run folder, or undefined when the run predates the float hand-off. */
export function readNormalMapF32(dir: string): DetailNormalMap | undefined {
  const f32 = join(dir, NORMAL_MAP_F32), json = join(dir, NORMAL_MAP_HEADER);
  if (!existsSync(f32) && !existsSync(json)) return undefined;
  if (!existsSync(f32) || !existsSync(json)) throw new UserError(`${dir} has only one of ${NORMAL_MAP_F32} and ${NORMAL_MAP_HEADER}: the geometry run did not finish writing (rerun it to resume)`);
  let header: NormalMapHeader;
  try {
    header = JSON.parse(readFileSync(json, "utf8"));
  } catch (error) {
    throw new UserError(`${json} is not valid JSON (${(error as Error).message})`);
  }
  if (header.format !== "float32-le" || header.channels !== 3 || !Number.isInteger(header.width) || !Number.isInteger(header.height) || header.height < 1 || header.width % header.height !== 0)
    throw new UserError(`${json}: expected a float32-le atlas of square tiles with 3 channels, got ${JSON.stringify({ format: header.format, width: header.width, height: header.height, channels: header.channels })}`);
  const bytes = new Uint8Array(readFileSync(f32));
  const expected = header.width * header.height * 3 * 4;
  if (bytes.byteLength !== expected || header.bytes !== expected) throw new UserError(`${f32} has ${bytes.byteLength} bytes, its header says ${header.width}×${header.height}×3 float32 (${expected} bytes)`);
  if (sha256(bytes) !== header.sha256) throw new UserError(`${f32} does not match the hash in ${json}: the files come from different runs or were cut short`);
  return { data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), width: header.width, height: header.height };
}
