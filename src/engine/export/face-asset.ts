/**
 * Turns a face (model + coefficients) into the meshes the writers take: the OBJ keeps ICT's
 * vertex order and quads (so files diff against the original ones), the glTF gets a
 * seam-split mesh whose base is the identity and whose 53 morph targets are the expressions,
 * weighted by the expression coefficients.
 */
import type { FaceModel } from "../face/types.js";
import { synthesize, type Coefficients } from "../face/synthesize.js";
import { vertexNormals } from "../face/normals.js";
import { gatherSplit, seamSplit, splitFrame } from "../face/seam.js";
import { tileCount, toAtlasUv } from "../face/atlas.js";
import { NO_UV } from "../face/obj.js";
import type { GlbAsset, GlbMaterial, GlbMorphTarget, GlbSubmesh } from "./gltf.js";
import { ICT_SKIN_GROUPS, ictGlbMaterial } from "./ict-materials.js";
import type { ObjWriteMesh } from "./obj.js";

export interface FaceAssetInput {
  identity?: Coefficients;
  expression?: Coefficients;
  region?: "dreamface" | "full";
}

/** ICT's material groups inside the region's polygon range (empty when the model has none). */
export function regionMaterialGroups(model: FaceModel, region: "dreamface" | "full"): { material: string; firstFace: number }[] {
  const P = model.regions[region].polygonCount;
  return (model.materialGroups ?? []).filter((g) => g.firstPolygon < P).map((g) => ({ material: g.name, firstFace: g.firstPolygon }));
}

/** The region's vertices in model order with ICT's own polygons and UV indices. */
export function faceObjMesh(model: FaceModel, input: FaceAssetInput = {}): ObjWriteMesh {
  const region = model.regions[input.region ?? "dreamface"];
  const positions = synthesize(model, input);
  const P = region.polygonCount;
  const corners = model.polygonStart[P]!;
  const { uvs, faceUvs } = regionUvs(model.uvs, model.polygonUvs.subarray(0, corners));
  return {
    positions,
    normals: vertexNormals(positions, region.triangles),
    // The region's tiles side by side in [0, 1]² (face/atlas.ts), as the .glb and the renders use.
    uvs: toAtlasUv(uvs, tileCount(uvs)),
    faceStart: model.polygonStart.subarray(0, P + 1),
    faceVertices: model.polygonVertices.subarray(0, corners),
    faceUvs,
  };
}

/** Only the UVs the region's corners use, in first-use order (the model's list covers the full head's tiles). */
function regionUvs(uvs: Float32Array, cornerUvs: Uint32Array): { uvs: Float32Array; faceUvs: Uint32Array } {
  const index = new Map<number, number>();
  const kept: number[] = [];
  const faceUvs = cornerUvs.map((t) => {
    if (t === NO_UV) return t;
    let i = index.get(t);
    if (i === undefined) {
      i = index.size;
      index.set(t, i);
      kept.push(uvs[t * 2]!, uvs[t * 2 + 1]!);
    }
    return i;
  });
  return { uvs: Float32Array.from(kept), faceUvs };
}

export interface FaceGlbOptions extends FaceAssetInput {
  material?: GlbMaterial;
  /** Include the expressions as morph targets (default true). */
  morphTargets?: boolean;
  /** Also store each target's normal deltas, so viewers shade expressions correctly (default false: doubles the size). */
  morphNormals?: boolean;
  /**
   * One primitive per ICT material group, non-skin parts (teeth, eyes, lashes…) with plain
   * stand-in materials (export/ict-materials.ts). Default: on for the full head only.
   */
  materialGroups?: boolean;
  /** glTF is in metres, ICT in centimetres: positions are multiplied by this (default 0.01). */
  scale?: number;
  extras?: Record<string, unknown>;
}

export function faceGlbAsset(model: FaceModel, opts: FaceGlbOptions = {}): GlbAsset {
  const regionName = opts.region ?? "dreamface";
  const region = model.regions[regionName];
  const scale = opts.scale ?? 0.01;
  const base = synthesize(model, { identity: opts.identity, region: regionName });
  const split = seamSplit(model, regionName);
  // Normals on model vertices, then copied to the split vertices: seams stay smooth.
  const { positions, normals, tangents } = splitFrame(split, base, { modelTriangles: region.triangles, scale, tangents: !!opts.material?.normalPng });
  const asset: GlbAsset = { name: "face", positions, normals, uv: split.uv, indices: split.triangles, extras: opts.extras };
  if (tangents) asset.tangents = tangents;
  if (opts.material) asset.material = opts.material;
  if (opts.materialGroups ?? regionName === "full") {
    const submeshes = submeshesByMaterial(model, regionName);
    if (submeshes.length > 1) asset.submeshes = submeshes;
  }
  if (opts.morphTargets ?? true) {
    const n = region.vertexCount * 3;
    const weights = opts.expression ?? [];
    let baseNormals: Float32Array | undefined;
    asset.morphTargets = model.expressionModes.map((mode, j) => {
      const d = gatherSplit(mode.subarray(0, n), split.source, 3);
      for (let i = 0; i < d.length; i++) d[i]! *= scale;
      const target: GlbMorphTarget = { name: model.expressionNames[j]!, positions: d, weight: weights[j] ?? 0 };
      if (opts.morphNormals) {
        const posed = new Float32Array(base);
        for (let i = 0; i < n; i++) posed[i]! += mode[i]!;
        baseNormals ??= vertexNormals(base, region.triangles);
        const dn = vertexNormals(posed, region.triangles);
        for (let i = 0; i < n; i++) dn[i]! -= baseNormals[i]!;
        target.normals = gatherSplit(dn, split.source, 3);
      }
      return target;
    });
  } else if (opts.expression) {
    // Without targets, bake the expression into the base positions.
    const baked = gatherSplit(synthesize(model, opts), split.source, 3);
    for (let i = 0; i < baked.length; i++) positions[i] = baked[i]! * scale;
  }
  return asset;
}

/** Triangle ranges of the region's material groups (triangulation keeps polygon order). */
function submeshesByMaterial(model: FaceModel, region: "dreamface" | "full"): GlbSubmesh[] {
  const groups = regionMaterialGroups(model, region);
  const P = model.regions[region].polygonCount;
  const firstTriangle = (p: number) => {
    let t = 0;
    for (let q = 0; q < p; q++) t += model.polygonStart[q + 1]! - model.polygonStart[q]! - 2;
    return t;
  };
  return groups.map((g, i) => {
    const start = firstTriangle(g.firstFace);
    const end = firstTriangle(i + 1 < groups.length ? groups[i + 1]!.firstFace : P);
    const skin = ICT_SKIN_GROUPS.includes(g.material);
    return { name: g.material, triangleStart: start, triangleCount: end - start, ...(skin ? {} : { material: ictGlbMaterial(g.material) }) };
  }).filter((s) => s.triangleCount > 0);
}
