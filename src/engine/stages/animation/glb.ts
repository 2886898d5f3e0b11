/**
 * Reading a .glb enough to check its topology and adding morph-weight animations to it.
 * Works on any valid glTF 2.0 binary (ours or a DCC tool's): the new keyframe data is appended
 * to the BIN chunk, and one channel per node that instances a morphed mesh targets its "weights".
 */
import { gltfWeightsSampler, type ExpressionClip } from "./clip.js";

const MAGIC = 0x46546c67; // "glTF"
const JSON_CHUNK = 0x4e4f534a;
const BIN_CHUNK = 0x004e4942;

/* eslint-disable @typescript-eslint/no-explicit-any -- glTF JSON is an open schema */
export interface Glb {
  json: any;
  bin: Uint8Array;
}

export function parseGlb(bytes: Uint8Array): Glb {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20 || view.getUint32(0, true) !== MAGIC) throw new Error("not a .glb file (missing the glTF binary header)");
  if (view.getUint32(4, true) !== 2) throw new Error(`unsupported glTF version ${view.getUint32(4, true)} (expected 2)`);
  const length = view.getUint32(8, true);
  if (length > bytes.byteLength) throw new Error(`truncated .glb: header says ${length} bytes, file has ${bytes.byteLength}`);
  let offset = 12;
  let json: any;
  let bin: Uint8Array = new Uint8Array(0);
  while (offset + 8 <= length) {
    const chunkLength = view.getUint32(offset, true);
    const type = view.getUint32(offset + 4, true);
    const data = bytes.subarray(offset + 8, offset + 8 + chunkLength);
    if (type === JSON_CHUNK) json = JSON.parse(new TextDecoder().decode(data));
    else if (type === BIN_CHUNK) bin = data;
    offset += 8 + chunkLength;
  }
  if (!json) throw new Error("invalid .glb: no JSON chunk");
  return { json, bin };
}

export function serializeGlb({ json, bin }: Glb): Uint8Array {
  if (json.buffers?.[0]) json.buffers[0].byteLength = bin.byteLength;
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonPadded = pad4(jsonBytes.byteLength);
  const binPadded = pad4(bin.byteLength);
  const total = 12 + 8 + jsonPadded + (bin.byteLength ? 8 + binPadded : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonPadded, true);
  view.setUint32(16, JSON_CHUNK, true);
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.byteLength, 20 + jsonPadded); // JSON pads with spaces
  if (bin.byteLength) {
    const o = 20 + jsonPadded;
    view.setUint32(o, binPadded, true);
    view.setUint32(o + 4, BIN_CHUNK, true);
    out.set(bin, o + 8);
  }
  return out;
}

/** What the animation stage needs to know about an asset's morphed mesh. */
export interface MorphedMesh {
  meshIndex: number;
  /** Vertex count of its first primitive's POSITION accessor. */
  vertexCount: number;
  targetNames: string[];
  /** Nodes instancing the mesh. */
  nodes: number[];
}

/** Meshes with morph targets; names from mesh.extras.targetNames (glTF's de-facto convention). */
export function morphedMeshes(glb: Glb): MorphedMesh[] {
  const { json } = glb;
  const out: MorphedMesh[] = [];
  (json.meshes ?? []).forEach((mesh: any, meshIndex: number) => {
    const prim = mesh.primitives?.[0];
    const count = prim?.targets?.length ?? 0;
    if (!count) return;
    const names: string[] = mesh.extras?.targetNames ?? Array.from({ length: count }, (_, i) => `target${i}`);
    const nodes: number[] = [];
    (json.nodes ?? []).forEach((node: any, i: number) => node.mesh === meshIndex && nodes.push(i));
    out.push({ meshIndex, vertexCount: json.accessors?.[prim.attributes?.POSITION]?.count ?? 0, targetNames: names, nodes });
  });
  return out;
}

/**
 * Returns a new .glb with `clips` added as animations (one per clip) driving every morphed mesh
 * that has all the clip's target names. Existing animations are kept.
 */
export function addAnimations(bytes: Uint8Array | Glb, clips: readonly ExpressionClip[]): Uint8Array {
  const glb = bytes instanceof Uint8Array ? parseGlb(bytes) : bytes;
  const meshes = morphedMeshes(glb);
  if (meshes.length === 0) throw new Error("the asset has no mesh with morph targets to animate");
  const { json } = glb;
  json.buffers ??= [{ byteLength: 0 }];
  json.accessors ??= [];
  json.animations ??= [];
  const { append, bin } = binAppender(glb);
  for (const clip of clips) {
    const samplers: any[] = [];
    const channels: any[] = [];
    for (const mesh of meshes) {
      if (!clip.names.every((n) => mesh.targetNames.includes(n)) || mesh.nodes.length === 0) continue;
      const s = gltfWeightsSampler(clip, mesh.targetNames);
      let tMin = Infinity, tMax = -Infinity;
      for (const t of s.input) { tMin = Math.min(tMin, t); tMax = Math.max(tMax, t); }
      json.accessors.push({ bufferView: append(s.input), componentType: 5126, count: s.input.length, type: "SCALAR", min: [tMin], max: [tMax] });
      const input = json.accessors.length - 1;
      json.accessors.push({ bufferView: append(s.output), componentType: 5126, count: s.output.length, type: "SCALAR" });
      const output = json.accessors.length - 1;
      samplers.push({ input, output, interpolation: s.interpolation });
      for (const node of mesh.nodes) channels.push({ sampler: samplers.length - 1, target: { node, path: "weights" } });
    }
    if (channels.length === 0) throw new Error(`clip "${clip.name}": no mesh in the asset has morph targets named ${clip.names.slice(0, 3).join(", ")}…`);
    json.animations.push({ name: clip.name, samplers, channels });
  }
  return serializeGlb({ json, bin: bin() });
}

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * Appends float data to a .glb's BIN chunk, 4-byte aligned, one new buffer view per call
 * (`append` returns its index); `bin()` is the padded chunk with everything appended.
 */
function binAppender(glb: Glb): { append(data: Float32Array): number; bin(): Uint8Array } {
  const { json } = glb;
  json.bufferViews ??= [];
  const chunks: Uint8Array[] = [glb.bin];
  let length = glb.bin.byteLength;
  return {
    append(data) {
      const padding = pad4(length) - length;
      if (padding) { chunks.push(new Uint8Array(padding)); length += padding; }
      json.bufferViews.push({ buffer: 0, byteOffset: length, byteLength: data.byteLength });
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      length += data.byteLength;
      return json.bufferViews.length - 1;
    },
    bin() {
      const bin = new Uint8Array(pad4(length));
      let o = 0;
      for (const c of chunks) { bin.set(c, o); o += c.byteLength; }
      return bin;
    },
  };
}

/** A clip in the shape of FACE's writeGlb `animations` option (one morph-weight channel). */
export function clipToGlbAnimation(clip: ExpressionClip, targetNames: readonly string[] = clip.names): { name: string; times: Float32Array; weights: Float32Array; interpolation: "LINEAR" | "STEP" | "CUBICSPLINE" } {
  const s = gltfWeightsSampler(clip, targetNames);
  return { name: clip.name, times: s.input, weights: s.output, interpolation: s.interpolation };
}

/** A float accessor's values (dense accessors only; sparse ones are an error). */
export function readFloatAccessor(glb: Glb, index: number): Float32Array {
  const a = glb.json.accessors?.[index];
  if (!a) throw new Error(`accessor ${index} does not exist`);
  if (a.componentType !== 5126) throw new Error(`accessor ${index} is not float32`);
  if (a.sparse || a.bufferView === undefined) throw new Error(`accessor ${index} is sparse or has no buffer view`);
  const view = glb.json.bufferViews[a.bufferView];
  const k = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 }[a.type as string] ?? 1;
  const stride = view.byteStride ?? k * 4;
  const base = (view.byteOffset ?? 0) + (a.byteOffset ?? 0);
  const dv = new DataView(glb.bin.buffer, glb.bin.byteOffset, glb.bin.byteLength);
  const out = new Float32Array(a.count * k);
  for (let i = 0; i < a.count; i++) for (let c = 0; c < k; c++) out[i * k + c] = dv.getFloat32(base + i * stride + c * 4, true);
  return out;
}

/**
 * Appends morph targets (POSITION deltas `[V*3]`, glTF units) to a mesh's first primitive,
 * with their names in mesh.extras.targetNames and default weight 0. Returns the new Glb.
 */
export function addMorphTargets(glb: Glb, meshIndex: number, targets: readonly { name: string; positions: Float32Array }[]): Glb {
  const { json } = glb;
  const mesh = json.meshes[meshIndex];
  const prim = mesh.primitives[0];
  const count = json.accessors[prim.attributes.POSITION].count;
  const { append, bin } = binAppender(glb);
  mesh.extras ??= {};
  mesh.extras.targetNames ??= (prim.targets ?? []).map((_: unknown, i: number) => `target${i}`);
  prim.targets ??= [];
  for (const t of targets) {
    if (t.positions.length !== count * 3) throw new Error(`morph target "${t.name}" has ${t.positions.length / 3} vertices, the mesh ${count}`);
    const bufferView = append(t.positions);
    const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) {
      const x = t.positions[i * 3 + c]!;
      if (x < min[c]!) min[c] = x;
      if (x > max[c]!) max[c] = x;
    }
    json.accessors.push({ bufferView, componentType: 5126, count, type: "VEC3", min: min.map(Math.fround), max: max.map(Math.fround) });
    prim.targets.push({ POSITION: json.accessors.length - 1 });
    mesh.extras.targetNames.push(t.name);
  }
  // Every primitive of a mesh must have the same number of targets; keep mesh.weights in step.
  for (const other of mesh.primitives.slice(1)) if ((other.targets?.length ?? 0) !== prim.targets.length) throw new Error("mesh has several primitives with different morph targets: not supported");
  if (mesh.weights) mesh.weights.push(...targets.map(() => 0));
  return { json, bin: bin() };
}
