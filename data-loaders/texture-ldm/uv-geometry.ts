// The neutral ICT face rasterised into its face UV tile: positions, normals, coverage and the
// 68 landmarks, the canvas the procedural two-domain dataset paints on (engine uv-dataset.ts).
import { loadFaceModel } from "../face/load.js";
import { gatherSplit, seamSplit } from "../../src/engine/face/seam.js";
import { vertexNormals } from "../../src/engine/face/normals.js";
import { ICT_LANDMARKS_68 } from "../../src/engine/face/ict.js";
import { rasterizeUV, uvMap } from "../../src/engine/raster/uvraster.js";
import type { UvGeometry } from "../../src/engine/stages/texture-ldm/uv-dataset.js";

export async function ictUvGeometry(size: number): Promise<UvGeometry> {
  const model = await loadFaceModel();
  const split = seamSplit(model, "dreamface");
  const positions = gatherSplit(model.neutral, split.source, 3);
  const normals = vertexNormals(positions, split.triangles);
  const mesh = { uv: split.uv, triangles: split.triangles };
  const raster = rasterizeUV(mesh, size);
  const p = uvMap(mesh, positions, 3, size, raster);
  const n = uvMap(mesh, normals, 3, size, raster).map;
  for (let i = 0; i < size * size; i++) {
    const l = Math.hypot(n[i * 3]!, n[i * 3 + 1]!, n[i * 3 + 2]!) || 1;
    for (let k = 0; k < 3; k++) n[i * 3 + k]! /= l;
  }
  const landmarks = new Float32Array(68 * 3);
  ICT_LANDMARKS_68.forEach((v, i) => landmarks.set(model.neutral.subarray(v * 3, v * 3 + 3), i * 3));
  return { size, positions: p.map, normals: n, coverage: p.mask, landmarks };
}
