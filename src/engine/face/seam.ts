/**
 * UV-seam splitting: a model vertex gets one copy per distinct texture coordinate its polygon
 * corners use, so renderers and exporters can keep one attribute set per vertex. The boundary
 * between ICT's UV tiles is such a seam too: its vertices get one copy per tile, and the
 * copies share position, normal and tangent frame (gathered from the model vertex), so the
 * shading is continuous across it and gradients from both copies meet again (scatterSplit).
 */
import type { FaceModel, SeamSplitMesh } from "./types.js";
import { NO_UV } from "./obj.js";
import { triangulate } from "./triangulate.js";
import { tileCount, toAtlasUv } from "./atlas.js";
import { vertexNormals, vertexTangents } from "./normals.js";

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
  const tileUv = new Float32Array(source.length * 2);
  for (let s = 0; s < source.length; s++) {
    const t = uvIndex[s]!;
    if (t === NO_UV) continue;
    tileUv[s * 2] = model.uvs[t * 2]!;
    tileUv[s * 2 + 1] = model.uvs[t * 2 + 1]!;
  }
  const tiles = tileCount(tileUv);
  return { source: Uint32Array.from(source), uv: toAtlasUv(tileUv, tiles), tileUv, tiles, triangles: triangulate(model.polygonStart, split, r.polygonCount) };
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

/** Adjoint of gatherSplit: sums split-vertex values (`[S*k]`) back onto model vertices (`[length]`, added into `out`). */
export function scatterSplit(values: Float32Array, source: Uint32Array, k: number, length: number, out: Float32Array = new Float32Array(length)): Float32Array {
  for (let s = 0; s < source.length; s++) for (let j = 0; j < k; j++) out[source[s]! * k + j]! += values[s * k + j]!;
  return out;
}

/** A mesh of the region on the split vertices: positions, smooth normals and (optionally) glTF tangents over the atlas UVs. */
export interface SplitFrame {
  /** `[S*3]`, multiplied by `scale`. */
  positions: Float32Array;
  /** Unit normals of the model mesh, copied to the seam copies `[S*3]`. */
  normals: Float32Array;
  /** `[S*4]` when asked for. */
  tangents?: Float32Array;
}

/**
 * The one way to put model-vertex positions `[V*3]` on the seam split: normals from the model
 * triangles (`modelTriangles`, default: the split triangles mapped through `source`), so seams
 * stay smooth; tangents from the split UVs. `scale` (e.g. cm → m for glTF) does not change
 * the normals or the tangent directions.
 */
export function splitFrame(split: Pick<SeamSplitMesh, "source" | "uv" | "triangles">, positions: Float32Array, opts: { modelTriangles?: Uint32Array; tangents?: boolean; scale?: number } = {}): SplitFrame {
  const tris = opts.modelTriangles ?? split.triangles.map((v) => split.source[v]!);
  const normals = gatherSplit(vertexNormals(positions, tris), split.source, 3);
  const pos = gatherSplit(positions, split.source, 3);
  if (opts.scale !== undefined && opts.scale !== 1) for (let i = 0; i < pos.length; i++) pos[i]! *= opts.scale;
  return { positions: pos, normals, ...(opts.tangents ? { tangents: vertexTangents(pos, normals, split.uv, split.triangles) } : {}) };
}
