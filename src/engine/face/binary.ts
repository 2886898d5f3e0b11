/**
 * A compact little-endian container for a FaceModel, used both for the disk cache (whole
 * model) and the workbench's browser payload (region only, first K identity modes).
 *
 * Layout: "DFFM" | u32 version | u32 header length H | H bytes of JSON (space-padded to 4) |
 * sections, each 4-byte aligned, described in the header as [byteOffset, elementCount].
 * Decoding returns views into the bytes (no copy) when they are 4-byte aligned, so a warm
 * load is a file read plus a few allocations.
 */
import type { FaceModel, SubGeometry } from "./types.js";
import { ICT_LANDMARKS_68, makeRegion, DREAMFACE_REGION, ICT_VERTEX_COUNT, ICT_POLYGON_COUNT, type RegionName } from "./ict.js";

const MAGIC = 0x4d464644; // "DFFM" read as little-endian u32
export const FACE_BINARY_VERSION = 2;

export interface EncodeOptions {
  /** Keep only the region's vertices and polygons ("full" = everything, the default). */
  region?: RegionName;
  /** Keep the first K identity modes (default: all). */
  identityCount?: number;
  /** Include the expression modes (default true). */
  expressions?: boolean;
}

interface Header {
  vertexCount: number;
  polygonCount: number;
  subset: RegionName;
  identityCount: number;
  expressionNames: string[];
  subGeometries: SubGeometry[];
  landmarks68: number[];
  materialGroups?: { name: string; firstPolygon: number }[];
  sections: Record<SectionName, [offset: number, count: number]>;
}
type SectionName = "neutral" | "identity" | "expression" | "polygonStart" | "polygonVertices" | "polygonUvs" | "uvs";

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("face binary: big-endian platforms are not supported");
}

export function encodeFaceModel(model: FaceModel, opts: EncodeOptions = {}): Uint8Array {
  assertLittleEndian();
  const subset = opts.region ?? "full";
  const region = model.regions[subset];
  if (region.vertexCount > model.vertexCount || region.triangles.length === 0) throw new Error(`region "${subset}" is not in this model`);
  const V = region.vertexCount, P = region.polygonCount, n = V * 3;
  const K = Math.min(opts.identityCount ?? model.identityModes.length, model.identityModes.length);
  if (!Number.isInteger(K) || K < 0) throw new Error(`identityCount must be a non-negative integer, got ${opts.identityCount}`);
  const withExpr = opts.expressions ?? true;
  const J = withExpr ? model.expressionModes.length : 0;
  const corners = model.polygonStart[P]!;

  const parts: [SectionName, Float32Array | Uint32Array][] = [];
  parts.push(["neutral", model.neutral.subarray(0, n)]);
  const id = new Float32Array(K * n);
  for (let k = 0; k < K; k++) id.set(model.identityModes[k]!.subarray(0, n), k * n);
  parts.push(["identity", id]);
  const ex = new Float32Array(J * n);
  for (let j = 0; j < J; j++) ex.set(model.expressionModes[j]!.subarray(0, n), j * n);
  parts.push(["expression", ex]);
  parts.push(["polygonStart", model.polygonStart.subarray(0, P + 1)]);
  parts.push(["polygonVertices", model.polygonVertices.subarray(0, corners)]);
  parts.push(["polygonUvs", model.polygonUvs.subarray(0, corners)]);
  parts.push(["uvs", model.uvs]);

  const sections = {} as Header["sections"];
  let offset = 0;
  for (const [name, arr] of parts) {
    sections[name] = [offset, arr.length];
    offset += arr.byteLength; // every element is 4 bytes, so sections stay aligned
  }
  const header: Header = {
    vertexCount: V,
    polygonCount: P,
    subset,
    identityCount: K,
    expressionNames: withExpr ? [...model.expressionNames] : [],
    subGeometries: model.subGeometries.filter((g) => g.vertexEnd < V).map((g) => ({ name: g.name, vertexStart: g.vertexStart, vertexEnd: g.vertexEnd })),
    landmarks68: Array.from(model.landmarks68),
    materialGroups: model.materialGroups?.filter((g) => g.firstPolygon < P).map((g) => ({ name: g.name, firstPolygon: g.firstPolygon })),
    sections,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const dataStart = 12 + json.length;
  const out = new Uint8Array(dataStart + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FACE_BINARY_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  for (const [name, arr] of parts) out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), dataStart + sections[name][0]);
  return out;
}

export function decodeFaceModel(bytes: Uint8Array): FaceModel {
  assertLittleEndian();
  if (bytes.length < 12) throw new Error("face binary: too short");
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice(); // typed-array views need 4-byte alignment
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new Error("face binary: bad magic (not a DreamFace face model file)");
  const version = dv.getUint32(4, true);
  if (version !== FACE_BINARY_VERSION) throw new Error(`face binary: version ${version}, this code reads ${FACE_BINARY_VERSION}`);
  const H = dv.getUint32(8, true);
  if (12 + H > bytes.length) throw new Error("face binary: truncated header");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + H))) as Header;
  const base = bytes.byteOffset + 12 + H;
  const view = <T extends Float32Array | Uint32Array>(name: SectionName, Ctor: { new (b: ArrayBufferLike, o: number, n: number): T }): T => {
    const [off, count] = header.sections[name];
    if (12 + H + off + count * 4 > bytes.length) throw new Error(`face binary: section ${name} is truncated`);
    return new Ctor(bytes.buffer, base + off, count);
  };
  const V = header.vertexCount, n = V * 3;
  const neutral = view("neutral", Float32Array);
  const id = view("identity", Float32Array);
  const ex = view("expression", Float32Array);
  const polygonStart = view("polygonStart", Uint32Array);
  const polygonVertices = view("polygonVertices", Uint32Array);
  const identityModes = Array.from({ length: header.identityCount }, (_, k) => id.subarray(k * n, (k + 1) * n));
  const expressionModes = header.expressionNames.map((_, j) => ex.subarray(j * n, (j + 1) * n));
  const full = header.subset === "full";
  return {
    vertexCount: V,
    subset: header.subset,
    neutral,
    identityModes,
    expressionNames: header.expressionNames,
    expressionModes,
    polygonStart,
    polygonVertices,
    polygonUvs: view("polygonUvs", Uint32Array),
    uvs: view("uvs", Float32Array),
    subGeometries: header.subGeometries,
    landmarks68: Uint32Array.from(header.landmarks68 ?? ICT_LANDMARKS_68),
    ...(header.materialGroups ? { materialGroups: header.materialGroups } : {}),
    regions: {
      dreamface: makeRegion("dreamface", DREAMFACE_REGION.vertexCount, DREAMFACE_REGION.polygonCount, polygonStart, polygonVertices),
      // A region-only payload has no full head: the full region is declared with its true size
      // and no triangles, so synthesize/seamSplit refuse it instead of returning a partial head.
      full: full
        ? makeRegion("full", V, header.polygonCount, polygonStart, polygonVertices)
        : { name: "full", vertexCount: ICT_VERTEX_COUNT, polygonCount: ICT_POLYGON_COUNT, triangles: new Uint32Array(0) },
    },
  };
}
