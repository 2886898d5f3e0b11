/**
 * The personalized animation path (paper Sec. 6): Ĝ = G_geo(T†, E_exp(V)).
 * T† is the asset's neutral geometry as a geometry map, V a 256² face crop of a video frame;
 * E_exp gives a 256-d expression code and G_geo turns neutral map + code into the expressive
 * geometry map, sampled back to vertices. The networks are reached through the Backend
 * (roles anim_e_exp, anim_g_geo, anim_e_geo). With the tiny profile the weights are random:
 * the output is a test signal (neutral + a small, code-dependent offset), not an expression.
 */
import type { Backend } from "../../models/backend.js";
import { f32 } from "../../models/tensor.js";
import { pick, runRole } from "../../models/adapt.js";
import type { ImageF32 } from "../../image/types.js";
import { fromGeometryMap, toGeometryMap, type GeometryMapLayout } from "./geometryMap.js";
import { interleavedToPlanar, planarToInterleaved } from "../../image/layout.js";

export const CROP_SIZE = 256;
export const CODE_SIZE = 256;

/** HWC `[S*S*C]` → CHW `[C*S*S]` (what the ONNX graphs take) and back. */
export function hwcToChw(data: Float32Array, size: number, C: number): Float32Array {
  return interleavedToPlanar(data, size * size, C);
}

export function chwToHwc(data: Float32Array, size: number, C: number): Float32Array {
  return planarToInterleaved(data, size * size, C);
}

/**
 * The square face window of a frame: centred on the landmarks' bounding box, `margin` × its
 * larger side, resampled bilinearly to size² RGB (outside the image = 0).
 * `landmarks` are MediaPipe-normalized `[N*3]`.
 */
export function faceCrop(image: ImageF32, landmarks: ArrayLike<number>, size = CROP_SIZE, margin = 1.4): ImageF32 {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarks.length / 3; i++) {
    const x = landmarks[i * 3]! * image.width, y = landmarks[i * 3 + 1]! * image.height;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const side = Math.max(x1 - x0, y1 - y0) * margin;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const out = new Float32Array(size * size * 3);
  const C = image.channels;
  const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= image.width || y >= image.height ? 0 : image.data[(y * image.width + x) * C + c]!);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const sx = cx - side / 2 + ((i + 0.5) / size) * side - 0.5;
      const sy = cy - side / 2 + ((j + 0.5) / size) * side - 0.5;
      const ix = Math.floor(sx), iy = Math.floor(sy), fx = sx - ix, fy = sy - iy;
      for (let c = 0; c < 3; c++) {
        const cc = Math.min(c, C - 1);
        out[(j * size + i) * 3 + c] =
          (1 - fy) * ((1 - fx) * at(ix, iy, cc) + fx * at(ix + 1, iy, cc)) + fy * ((1 - fx) * at(ix, iy + 1, cc) + fx * at(ix + 1, iy + 1, cc));
      }
    }
  }
  return { data: out, width: size, height: size, channels: 3 };
}

/** E_exp: face crop (size² RGB in [0, 1], HWC) → expression code `[256]`. */
export async function expressionCode(backend: Backend, crop: ImageF32): Promise<Float32Array> {
  if (crop.width !== CROP_SIZE || crop.height !== CROP_SIZE || crop.channels !== 3) throw new Error(`expressionCode: crop must be ${CROP_SIZE}×${CROP_SIZE}×3, got ${crop.width}×${crop.height}×${crop.channels}`);
  const out = await runRole(backend, "anim_e_exp", { image: f32(hwcToChw(crop.data, CROP_SIZE, 3), [1, 3, CROP_SIZE, CROP_SIZE]) });
  return Float32Array.from(pick(out, "anim_e_exp", "code").data as Float32Array);
}

/** E_geo: geometry map (HWC) → expression code `[256]` (training-time encoder; kept for completeness and tests). */
export async function geometryCode(backend: Backend, map: Float32Array, size: number): Promise<Float32Array> {
  const out = await runRole(backend, "anim_e_geo", { geometry_map: f32(hwcToChw(map, size, 3), [1, 3, size, size]) });
  return Float32Array.from(pick(out, "anim_e_geo", "code").data as Float32Array);
}

/** G_geo: neutral geometry map (HWC) + code → expressive geometry map (HWC). */
export async function generateGeometry(backend: Backend, neutralMap: Float32Array, size: number, code: Float32Array): Promise<Float32Array> {
  if (code.length !== CODE_SIZE) throw new Error(`generateGeometry: code has ${code.length} values, expected ${CODE_SIZE}`);
  const out = await runRole(backend, "anim_g_geo", {
    neutral_map: f32(hwcToChw(neutralMap, size, 3), [1, 3, size, size]),
    code: f32(code, [1, CODE_SIZE]),
  });
  return chwToHwc(pick(out, "anim_g_geo", "geometry_map").data as Float32Array, size, 3);
}

/**
 * One frame of the personalized path: positions `[V*3]` (cm) of the asset with the crop's
 * expression. Only the change G_geo makes (its map minus the neutral map) is sampled back and
 * added to T†, so the geometry map's own round-trip error never touches the asset's shape.
 */
export async function personalizedFrame(backend: Backend, layout: GeometryMapLayout, neutral: Float32Array, neutralMap: Float32Array, crop: ImageF32): Promise<{ positions: Float32Array; code: Float32Array }> {
  const code = await expressionCode(backend, crop);
  const map = await generateGeometry(backend, neutralMap, layout.size, code);
  for (let i = 0; i < map.length; i++) map[i] -= neutralMap[i]!;
  const offsets = fromGeometryMap(layout, map, new Float32Array(neutral.length));
  for (let i = 0; i < offsets.length; i++) offsets[i] += neutral[i]!;
  return { positions: offsets, code };
}

/** Convenience: the neutral map of T† once per sequence. */
export function neutralGeometryMap(layout: GeometryMapLayout, neutral: Float32Array): Float32Array {
  return toGeometryMap(layout, neutral);
}
