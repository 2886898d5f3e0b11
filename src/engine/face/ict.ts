/**
 * ICT-FaceKit facts the files do not carry (from the upstream README at commit
 * da5f95a607f5e6b37755b38d3385d7f2853732e5), and the assembly of a FaceModel from parsed OBJs.
 */
import type { FaceModel, FaceRegion, SubGeometry } from "./types.js";
import type { ObjMesh } from "./obj.js";
import { triangulate } from "./triangulate.js";

export const ICT_VERTEX_COUNT = 26719;
export const ICT_POLYGON_COUNT = 26384;
export const ICT_IDENTITY_COUNT = 100;
export const ICT_EXPRESSION_COUNT = 53;

/** Vertex ranges (inclusive) and the polygons covering them; the order is the file order. */
const SUB_GEOMETRY_TABLE: readonly [name: string, v0: number, v1: number, p0: number, p1: number][] = [
  ["face", 0, 9408, 0, 9229],
  ["headAndNeck", 9409, 11247, 9230, 11143],
  ["mouthSocket", 11248, 13293, 11144, 13225],
  ["eyeSocketLeft", 13294, 13677, 13226, 13629],
  ["eyeSocketRight", 13678, 14061, 13630, 14033],
  ["gumsAndTongue", 14062, 17038, 14034, 17005],
  ["teeth", 17039, 21450, 17006, 21495],
  ["eyeballLeft", 21451, 23020, 21496, 23093],
  ["eyeballRight", 23021, 24590, 23094, 24691],
  ["lacrimalFluidLeft", 24591, 24794, 24692, 24854],
  ["lacrimalFluidRight", 24795, 24998, 24855, 25017],
  ["eyeBlendLeft", 24999, 25022, 25018, 25032],
  ["eyeBlendRight", 25023, 25046, 25033, 25047],
  ["eyeOcclusionLeft", 25047, 25198, 25048, 25175],
  ["eyeOcclusionRight", 25199, 25350, 25176, 25303],
  ["eyelashesLeft", 25351, 26034, 25304, 25843],
  ["eyelashesRight", 26035, 26718, 25844, 26383],
];

export interface IctSubGeometry extends SubGeometry {
  readonly polygonStart: number;
  readonly polygonEnd: number; // inclusive
}

export const ICT_SUB_GEOMETRIES: readonly IctSubGeometry[] = SUB_GEOMETRY_TABLE.map(([name, v0, v1, p0, p1]) => ({
  name,
  vertexStart: v0,
  vertexEnd: v1,
  polygonStart: p0,
  polygonEnd: p1,
}));

/**
 * ICT's UVs use UDIM-like tiles along u: tile 0 (u ∈ [0,1]) is the face, tile 1 the head, neck,
 * mouth and eye sockets, then gums/tongue 2, teeth 3, lacrimal fluid 4–5, eyelashes 6 (eyeballs
 * and eye blend/occlusion meshes reuse tile 0). A face texture covers tile 0 only.
 */
export const ICT_UV_TILES = { face: 0, headNeckSockets: 1, gumsTongue: 2, teeth: 3, eyelashes: 6 } as const;

/** Face-area subsets used by later stages (vertex ranges, inclusive). */
export const ICT_FACE_AREA = { vertexEnd: 9408, polygonEnd: 9229 } as const;
export const ICT_NARROW_FACE_AREA = { vertexEnd: 6705, polygonEnd: 6559 } as const;

/** Multi-PIE 68-point landmarks as 0-based vertex indices. */
export const ICT_LANDMARKS_68: readonly number[] = [
  1225, 1888, 1052, 367, 1719, 1722, 2199, 1447, 966, 3661, 4390, 3927, 3924, 2608, 3272, 4088, 3443, 268,
  493, 1914, 2044, 1401, 3615, 4240, 4114, 2734, 2509, 978, 4527, 4942, 4857, 1140, 2075, 1147, 4269, 3360,
  1507, 1542, 1537, 1528, 1518, 1511, 3742, 3751, 3756, 3721, 3725, 3732, 5708, 5695, 2081, 0, 4275, 6200,
  6213, 6346, 6461, 5518, 5957, 5841, 5702, 5711, 5533, 6216, 6207, 6470, 5517, 5966,
];

/**
 * The paper's mesh: face, head and neck, mouth socket, both eye sockets. Because ICT stores
 * these first, the region is a prefix of the vertices and of the polygons.
 */
export const DREAMFACE_REGION = { vertexCount: 14062, polygonCount: 14034 } as const;

export type RegionName = "dreamface" | "full";

/** Which vertices a model holds: a region-only payload (binary.ts) keeps just the prefix. */
export function makeRegion(name: RegionName, vertexCount: number, polygonCount: number, polygonStart: Uint32Array, polygonVertices: Uint32Array): FaceRegion {
  return { name, vertexCount, polygonCount, triangles: triangulate(polygonStart, polygonVertices, polygonCount) };
}

export interface FaceModelSources {
  neutral: ObjMesh;
  /** Absolute positions (float64 `[V*3]`) of identity000…, in order. */
  identities: readonly Float64Array[];
  /** Absolute positions of the expressions, in `expressionNames` order. */
  expressions: readonly Float64Array[];
  expressionNames: readonly string[];
}

/** Differences against the neutral shape, computed in float64 and stored as float32. */
function modes(neutral: Float64Array, shapes: readonly Float64Array[]): Float32Array[] {
  return shapes.map((shape) => {
    const d = new Float32Array(shape.length);
    for (let i = 0; i < shape.length; i++) d[i] = shape[i]! - neutral[i]!;
    return d;
  });
}

/** Assembles the engine's FaceModel; checks the topology against ICT's published counts. */
export function buildFaceModel(src: FaceModelSources): FaceModel {
  const { neutral } = src;
  const V = neutral.positions.length / 3;
  const P = neutral.polygonStart.length - 1;
  if (V !== ICT_VERTEX_COUNT || P !== ICT_POLYGON_COUNT) {
    throw new Error(`not the ICT-FaceKit topology: ${V} vertices, ${P} polygons (expected ${ICT_VERTEX_COUNT}, ${ICT_POLYGON_COUNT})`);
  }
  if (src.expressions.length !== src.expressionNames.length) throw new Error("expression names and shapes differ in count");
  const neutral64 = Float64Array.from(neutral.positions);
  return {
    vertexCount: V,
    neutral: neutral.positions,
    identityModes: modes(neutral64, src.identities),
    expressionNames: [...src.expressionNames],
    expressionModes: modes(neutral64, src.expressions),
    polygonStart: neutral.polygonStart,
    polygonVertices: neutral.polygonVertices,
    polygonUvs: neutral.polygonUvs,
    uvs: neutral.uvs,
    subGeometries: ICT_SUB_GEOMETRIES,
    landmarks68: Uint32Array.from(ICT_LANDMARKS_68),
    materialGroups: neutral.materials.map((m) => ({ name: m.name, firstPolygon: m.firstPolygon })),
    regions: {
      dreamface: makeRegion("dreamface", DREAMFACE_REGION.vertexCount, DREAMFACE_REGION.polygonCount, neutral.polygonStart, neutral.polygonVertices),
      full: makeRegion("full", V, P, neutral.polygonStart, neutral.polygonVertices),
    },
  };
}
