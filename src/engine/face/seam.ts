/**
 * UV-seam splitting: a model vertex gets one copy per distinct texture coordinate its polygon
 * corners use, so renderers and exporters can keep one attribute set per vertex.
 */
import type { FaceModel, SeamSplitMesh } from "./types.js";
import { NO_UV } from "./obj.js";
import { triangulate } from "./triangulate.js";

export function seamSplit(model: FaceModel, region: "dreamface" | "full" = "dreamface"): SeamSplitMesh {
  const r = model.regions[region];
  if (r.vertexCount > model.vertexCount) throw new Error(`region "${region}" is not in this model`);
  const corners = model.polygonStart[r.polygonCount]!;
  const key = new Map<number, number>(); // vertex * U + uv → split index
  const U = model.uvs.length / 2 + 1;
  const split = new Uint32Array(corners);
  const source: number[] = [];
  const uvIndex: number[] = [];
  for (let c = 0; c < corners; c++) {
    const v = model.polygonVertices[c]!;
    const t = model.polygonUvs[c]!;
    const k = v * U + (t === NO_UV ? U - 1 : t);
    let s = key.get(k);
    if (s === undefined) {
      s = source.length;
      key.set(k, s);
      source.push(v);
      uvIndex.push(t);
    }
    split[c] = s;
  }
  const uv = new Float32Array(source.length * 2);
  for (let s = 0; s < source.length; s++) {
    const t = uvIndex[s]!;
    if (t === NO_UV) continue;
    uv[s * 2] = model.uvs[t * 2]!;
    uv[s * 2 + 1] = model.uvs[t * 2 + 1]!;
  }
  return { source: Uint32Array.from(source), uv, triangles: triangulate(model.polygonStart, split, r.polygonCount) };
}

/** Gathers per-model-vertex attributes (`[V*k]`) onto the split vertices (`[S*k]`). */
export function gatherSplit(values: Float32Array, source: Uint32Array, k: number, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(source.length * k);
  for (let s = 0; s < source.length; s++) {
    const v = source[s]! * k;
    for (let j = 0; j < k; j++) o[s * k + j] = values[v + j]!;
  }
  return o;
}
