// Files of the @mediapipe/face_mesh package (the version pinned in package.json, the one that
// works in headless Chromium here) and the canonical face mesh packed inside them.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Folder holding face_mesh.js, its wasm, .data and .binarypb files. */
export function faceMeshDir(): string {
  return dirname(require.resolve("@mediapipe/face_mesh/package.json"));
}

/** Every file the solution may fetch through locateFile (all of them are served, none from a CDN). */
export function faceMeshFiles(): string[] {
  return readdirSync(faceMeshDir()).filter((f) => /\.(js|wasm|data|binarypb|tflite)$/.test(f));
}

export function faceMeshVersion(): string {
  return (JSON.parse(readFileSync(join(faceMeshDir(), "package.json"), "utf8")) as { version: string }).version;
}

export interface CanonicalFace {
  /** 468 × (x, y, z) in cm, y up, the face looking down +z. */
  positions: Float32Array;
  uvs: Float32Array;
  triangles: Uint32Array;
}

/**
 * MediaPipe's canonical face model, read from geometry_pipeline_metadata_landmarks.binarypb
 * inside the package's packed assets (the same mesh as canonical_face_model.obj). The
 * offsets come from the loader script's file table, so a repacked version still resolves.
 */
export function readCanonicalFace(dir = faceMeshDir()): CanonicalFace {
  const loader = readFileSync(join(dir, "face_mesh_solution_packed_assets_loader.js"), "utf8");
  const m = /"filename":\s*"[^"]*geometry_pipeline_metadata_landmarks\.binarypb",\s*"start":\s*(\d+),\s*"end":\s*(\d+)/.exec(loader);
  if (!m) throw new Error("geometry_pipeline_metadata_landmarks.binarypb not listed in the MediaPipe packed assets");
  const data = readFileSync(join(dir, "face_mesh_solution_packed_assets.data")).subarray(Number(m[1]), Number(m[2]));
  // GeometryPipelineMetadata { Mesh3d canonical_mesh = 1; repeated WeightedLandmarkRef procrustes_landmark_basis = 2; }
  const mesh = protoFields(data).find((f) => f.field === 1 && f.bytes)?.bytes;
  if (!mesh) throw new Error("canonical mesh missing from the geometry pipeline metadata");
  // Mesh3d { vertex_type = 1; primitive_type = 2; repeated float vertex_buffer = 3; repeated uint32 index_buffer = 4; }
  const floats: number[] = [];
  const indices: number[] = [];
  for (const f of protoFields(mesh)) {
    if (f.field === 3) {
      if (f.bytes) for (let o = 0; o + 4 <= f.bytes.length; o += 4) floats.push(f.bytes.readFloatLE(o));
      else floats.push(f.value);
    } else if (f.field === 4) {
      if (f.bytes) indices.push(...protoVarints(f.bytes));
      else indices.push(f.value);
    }
  }
  const count = floats.length / 5; // VERTEX_PT: x y z u v
  if (count !== 468) throw new Error(`canonical face has ${count} vertices, expected 468`);
  const positions = new Float32Array(count * 3);
  const uvs = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    positions.set(floats.slice(i * 5, i * 5 + 3), i * 3);
    uvs.set(floats.slice(i * 5 + 3, i * 5 + 5), i * 2);
  }
  return { positions, uvs, triangles: Uint32Array.from(indices) };
}

interface ProtoField { field: number; value: number; bytes?: Buffer }

function varint(b: Buffer, o: number): [number, number] {
  let r = 0, s = 0, x: number;
  do { x = b[o++]!; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, o];
}

function protoVarints(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o < b.length;) { const [v, n] = varint(b, o); out.push(v); o = n; }
  return out;
}

function protoFields(b: Buffer): ProtoField[] {
  const out: ProtoField[] = [];
  let o = 0;
  while (o < b.length) {
    const [key, o1] = varint(b, o);
    o = o1;
    const field = Math.floor(key / 8), wire = key & 7;
    if (wire === 0) { const [v, o2] = varint(b, o); out.push({ field, value: v }); o = o2; }
    else if (wire === 2) { const [len, o2] = varint(b, o); out.push({ field, value: len, bytes: b.subarray(o2, o2 + len) }); o = o2 + len; }
    else if (wire === 5) { out.push({ field, value: b.readFloatLE(o) }); o += 4; }
    else if (wire === 1) { out.push({ field, value: b.readDoubleLE(o) }); o += 8; }
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

/** The files the browser tracker fetches (face_mesh.js loads the others through locateFile). */
export const FACE_MESH_SITE_FILES = [
  "face_mesh.js",
  "face_mesh.binarypb",
  "face_mesh_solution_packed_assets.data",
  "face_mesh_solution_packed_assets_loader.js",
  "face_mesh_solution_simd_wasm_bin.js",
  "face_mesh_solution_simd_wasm_bin.wasm",
  "face_mesh_solution_wasm_bin.js",
  "face_mesh_solution_wasm_bin.wasm",
] as const;

/** Data-loader body: copies one package file to stdout so the built site serves it (no CDN). */
export function writeFaceMeshFile(name: (typeof FACE_MESH_SITE_FILES)[number]): void {
  process.stdout.write(readFileSync(join(faceMeshDir(), name)));
}
