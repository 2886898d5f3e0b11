/**
 * The ICT-FaceKit face model as the engine sees it. Shapes are flat typed arrays:
 * positions `[V*3]` (x, y, z per vertex, model units = cm as in ICT), triangles `[T*3]`.
 * Built in Node by `data-loaders/face/` (parse + binary cache) and in the browser from the
 * binary a data loader writes; the engine never reads files.
 */
export interface FaceRegion {
  /** "dreamface": vertices 0–14061, polygons 0–14033 (the paper's mesh); "full": whole head. */
  readonly name: "dreamface" | "full";
  readonly vertexCount: number; // 14062 | 26719
  readonly polygonCount: number; // 14034 | 26384
  /** Triangulated polygons of the region, indices into the model's vertices `[T*3]`. */
  readonly triangles: Uint32Array;
}

export interface SubGeometry {
  readonly name: string;
  readonly vertexStart: number; // inclusive
  readonly vertexEnd: number; // inclusive
}

/**
 * Vertices split along UV seams (a vertex gets one copy per distinct UV it carries), as
 * renderers and exporters need. `source[i]` is the model vertex of split vertex i.
 */
export interface SeamSplitMesh {
  readonly source: Uint32Array; // [S]
  /** Atlas UVs in [0, 1]² (face/atlas.ts: the `tiles` tiles side by side), OBJ convention (v up): what renders and exports use. `[S*2]` */
  readonly uv: Float32Array;
  /** ICT's own UDIM-like tile UVs (u ∈ [0, tiles]), for code that works on one tile (geometry maps). `[S*2]` */
  readonly tileUv: Float32Array;
  /** How many tiles the region's UVs span (2 for "dreamface": face, head and neck). */
  readonly tiles: number;
  readonly triangles: Uint32Array; // [T*3], indices into the split vertices
}

export interface FaceModel {
  readonly vertexCount: number; // 26719 (14062 for a region-only payload)
  /** Which vertices the model holds; "dreamface" for a region-only payload (engine/face/binary.ts). Absent = full. */
  readonly subset?: "dreamface" | "full";
  /** Mean face T̄ `[V*3]`. */
  readonly neutral: Float32Array;
  /** Identity basis S_i = identity_i − neutral, 100 modes, `[K][V*3]`. */
  readonly identityModes: readonly Float32Array[];
  /** 53 ARKit-named expressions in model order (vertex_indices.json "expressions"). */
  readonly expressionNames: readonly string[];
  /** Expression basis E_j = expression_j − neutral, `[J][V*3]`. */
  readonly expressionModes: readonly Float32Array[];
  /** Polygons as in the OBJ: `polygonStart[p]..polygonStart[p+1]` index `polygonVertices`/`polygonUvs`. */
  readonly polygonStart: Uint32Array; // [P+1]
  readonly polygonVertices: Uint32Array;
  readonly polygonUvs: Uint32Array;
  /** The OBJ's texture coordinates `[U*2]`. */
  readonly uvs: Float32Array;
  readonly subGeometries: readonly SubGeometry[];
  /** Multi-PIE 68 landmark vertex indices. */
  readonly landmarks68: Uint32Array;
  readonly regions: { readonly dreamface: FaceRegion; readonly full: FaceRegion };
  /** ICT's `usemtl` groups (M_Face, M_BackHead, M_Teeth, …) in polygon order, for multi-material export. */
  readonly materialGroups?: readonly { readonly name: string; readonly firstPolygon: number }[];
}
