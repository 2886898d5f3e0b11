/**
 * A small glTF 2.0 binary (.glb) writer for one morphable, textured mesh: what a DreamFace
 * asset is. Morph targets are stored as sparse accessors when few vertices move (ICT
 * expressions touch a fraction of the head), which keeps a 53-target asset a few MB.
 * Checked by the Khronos glTF-Validator in the tests (test/helpers/gltf-validate.ts).
 */

export interface GlbMorphTarget {
  name: string;
  /** `[V*3]` position deltas. */
  positions: Float32Array;
  /** `[V*3]` optional normal deltas. */
  normals?: Float32Array;
  /** Default weight (mesh.weights), 0 when omitted. */
  weight?: number;
}

export interface GlbMaterial {
  name?: string;
  /** PNG bytes; sRGB base colour. */
  baseColorPng?: Uint8Array;
  baseColorFactor?: readonly [number, number, number, number];
  /** PNG bytes; tangent-space normal map (OpenGL convention, +y up, as glTF). */
  normalPng?: Uint8Array;
  normalScale?: number;
  /** PNG bytes for KHR_materials_specular: `specularTexture` (strength read from the A channel). */
  specularPng?: Uint8Array;
  /** PNG bytes for KHR_materials_specular: `specularColorTexture` (RGB, sRGB). */
  specularColorPng?: Uint8Array;
  specularFactor?: number;
  specularColorFactor?: readonly [number, number, number];
  metallicFactor?: number;
  roughnessFactor?: number;
  doubleSided?: boolean;
  /** "BLEND" for see-through overlays (ICT's lacrimal fluid and eye occlusion meshes). */
  alphaMode?: "OPAQUE" | "BLEND" | "MASK";
}

/**
 * A triangle range drawn with its own material: one glTF primitive each, all sharing the
 * vertex attributes and morph targets (so expressions move every part together).
 */
export interface GlbSubmesh {
  name?: string;
  /** First triangle (not index) of the range, and how many triangles. */
  triangleStart: number;
  triangleCount: number;
  /** Omitted: the asset's `material`. */
  material?: GlbMaterial;
}

/**
 * One animation = one morph-weight channel on the mesh node. `weights` holds, per keyframe,
 * one weight per morph target (`[times.length * targets]`; ×3 for CUBICSPLINE: in-tangent,
 * value, out-tangent per keyframe, as the glTF spec lays them out).
 */
export interface GlbAnimation {
  name?: string;
  /** Keyframe times in seconds, strictly increasing. */
  times: Float32Array;
  weights: Float32Array;
  interpolation?: "LINEAR" | "STEP" | "CUBICSPLINE";
}

export interface GlbAsset {
  name?: string;
  /** `[V*3]` positions (glTF units are metres; the caller decides the scale). */
  positions: Float32Array;
  /** `[V*3]` unit normals. */
  normals?: Float32Array;
  /** `[V*4]` unit tangents with w = ±1 (needs normals). */
  tangents?: Float32Array;
  /** `[V*2]` texture coordinates in OBJ convention (v up); flipped to glTF's v down on write. */
  uv?: Float32Array;
  /** `[T*3]` triangle indices. */
  indices: Uint32Array;
  morphTargets?: readonly GlbMorphTarget[];
  material?: GlbMaterial;
  /** Split the triangles into per-material primitives; omitted: one primitive with `material`. */
  submeshes?: readonly GlbSubmesh[];
  animations?: readonly GlbAnimation[];
  /** Copied to asset.extras, e.g. provenance or a "test signal, not a face" label. */
  extras?: Record<string, unknown>;
}

const ARRAY_BUFFER = 34962, ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126, UNSIGNED_SHORT = 5123, UNSIGNED_INT = 5125;

/* eslint-disable @typescript-eslint/no-explicit-any -- glTF JSON is an open schema */
class Builder {
  chunks: Uint8Array[] = [];
  length = 0;
  json: any = { bufferViews: [] as any[], accessors: [] as any[] };

  view(bytes: Uint8Array, target?: number): number {
    const pad = (4 - (this.length % 4)) % 4;
    if (pad) { this.chunks.push(new Uint8Array(pad)); this.length += pad; }
    const bv: any = { buffer: 0, byteOffset: this.length, byteLength: bytes.byteLength };
    if (target) bv.target = target;
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
    return this.json.bufferViews.push(bv) - 1;
  }

  accessor(a: any): number {
    return this.json.accessors.push(a) - 1;
  }

  floats(data: Float32Array, type: "SCALAR" | "VEC2" | "VEC3" | "VEC4", withMinMax: boolean, target?: number): number {
    const k = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 }[type];
    const a: any = { bufferView: this.view(bytesOf(data), target), componentType: FLOAT, count: data.length / k, type };
    if (withMinMax) Object.assign(a, minMax(data, k));
    return this.accessor(a);
  }

  /** VEC3 deltas, sparse when fewer than a third of the vertices move. */
  deltas(data: Float32Array, withMinMax: boolean): number {
    const V = data.length / 3;
    const moved: number[] = [];
    for (let v = 0; v < V; v++) if (data[v * 3] !== 0 || data[v * 3 + 1] !== 0 || data[v * 3 + 2] !== 0) moved.push(v);
    if (moved.length * 3 >= V) return this.floats(data, "VEC3", withMinMax, ARRAY_BUFFER);
    if (moved.length === 0) moved.push(0); // sparse.count must be ≥ 1; vertex 0's delta is then 0
    const idx = V < 65536 ? Uint16Array.from(moved) : Uint32Array.from(moved);
    const values = new Float32Array(moved.length * 3);
    moved.forEach((v, i) => values.set(data.subarray(v * 3, v * 3 + 3), i * 3));
    const a: any = {
      componentType: FLOAT,
      count: V,
      type: "VEC3",
      sparse: {
        count: moved.length,
        indices: { bufferView: this.view(bytesOf(idx)), componentType: V < 65536 ? UNSIGNED_SHORT : UNSIGNED_INT },
        values: { bufferView: this.view(bytesOf(values)) },
      },
    };
    if (withMinMax) Object.assign(a, minMax(data, 3));
    return this.accessor(a);
  }

  image(png: Uint8Array, name: string): number {
    if (!(png[0] === 0x89 && png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47)) throw new Error(`${name} is not PNG data`);
    this.json.images ??= [];
    this.json.textures ??= [];
    this.json.samplers ??= [{ magFilter: 9729, minFilter: 9987, wrapS: 33071, wrapT: 33071 }];
    const image = this.json.images.push({ name, bufferView: this.view(png), mimeType: "image/png" }) - 1;
    return this.json.textures.push({ sampler: 0, source: image }) - 1;
  }
}

function bytesOf(a: Float32Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function minMax(data: Float32Array, k: number): { min: number[]; max: number[] } {
  const min = new Array<number>(k).fill(Infinity), max = new Array<number>(k).fill(-Infinity);
  for (let i = 0; i < data.length; i += k) {
    for (let j = 0; j < k; j++) {
      const x = data[i + j]!;
      if (x < min[j]!) min[j] = x;
      if (x > max[j]!) max[j] = x;
    }
  }
  // JSON numbers must round-trip to the exact float32 values the validator reads back.
  return { min: min.map((x) => Math.fround(x)), max: max.map((x) => Math.fround(x)) };
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`writeGlb: ${message}`);
}

export function writeGlb(asset: GlbAsset): Uint8Array {
  const { positions, normals, tangents, uv, indices } = asset;
  const V = positions.length / 3;
  check(Number.isInteger(V) && V > 0, "positions must be a non-empty [V*3] array");
  check(!normals || normals.length === V * 3, `normals must be [${V * 3}]`);
  check(!tangents || (tangents.length === V * 4 && !!normals), `tangents must be [${V * 4}] and need normals`);
  check(!uv || uv.length === V * 2, `uv must be [${V * 2}]`);
  check(indices.length % 3 === 0 && indices.length > 0, "indices must be a non-empty [T*3] array");
  // The message is built only on failure: a template argument would be formatted per index.
  for (let i = 0; i < indices.length; i++) if (!(indices[i]! < V)) check(false, `index ${indices[i]} out of range (${V} vertices)`);
  for (let i = 0; i < positions.length; i++) check(Number.isFinite(positions[i]!), "positions contain a non-finite value");

  const b = new Builder();
  const attributes: any = { POSITION: b.floats(positions, "VEC3", true, ARRAY_BUFFER) };
  if (normals) attributes.NORMAL = b.floats(normals, "VEC3", false, ARRAY_BUFFER);
  if (tangents) attributes.TANGENT = b.floats(tangents, "VEC4", false, ARRAY_BUFFER);
  if (uv) {
    const flipped = new Float32Array(uv.length);
    for (let i = 0; i < uv.length; i += 2) { flipped[i] = uv[i]!; flipped[i + 1] = 1 - uv[i + 1]!; }
    attributes.TEXCOORD_0 = b.floats(flipped, "VEC2", false, ARRAY_BUFFER);
  }
  const small = V < 65536;
  const ranges = asset.submeshes ?? [{ triangleStart: 0, triangleCount: indices.length / 3 }];
  for (const r of ranges) {
    check(Number.isInteger(r.triangleStart) && Number.isInteger(r.triangleCount) && r.triangleCount > 0, `submesh ${r.name ?? ""} needs a positive triangle range`);
    check(r.triangleStart + r.triangleCount <= indices.length / 3, `submesh ${r.name ?? ""} ends past the last triangle`);
  }

  const targets = asset.morphTargets ?? [];
  let targetAccessors: any[] | undefined;
  if (targets.length) {
    targetAccessors = targets.map((t) => {
      check(t.positions.length === V * 3, `morph target ${t.name}: positions must be [${V * 3}]`);
      check(!t.normals || t.normals.length === V * 3, `morph target ${t.name}: normals must be [${V * 3}]`);
      const target: any = { POSITION: b.deltas(t.positions, true) };
      if (t.normals && normals) target.NORMAL = b.deltas(t.normals, false);
      return target;
    });
  }

  const used: string[] = [];
  const materials: any[] = [];
  const addMaterial = (m: GlbMaterial): number => {
    const pbr: any = { metallicFactor: m.metallicFactor ?? 0, roughnessFactor: m.roughnessFactor ?? 0.5 };
    if (m.baseColorFactor) pbr.baseColorFactor = [...m.baseColorFactor];
    const material: any = { name: m.name ?? "face", pbrMetallicRoughness: pbr, doubleSided: m.doubleSided ?? false };
    if (m.alphaMode && m.alphaMode !== "OPAQUE") material.alphaMode = m.alphaMode;
    if (m.baseColorPng) pbr.baseColorTexture = { index: b.image(m.baseColorPng, "baseColor") };
    if (m.normalPng) {
      check(!!uv && !!normals, "a normal map needs uv and normals");
      material.normalTexture = { index: b.image(m.normalPng, "normal"), scale: m.normalScale ?? 1 };
    }
    if (m.specularPng || m.specularColorPng || m.specularFactor !== undefined || m.specularColorFactor) {
      const spec: any = {};
      if (m.specularFactor !== undefined) spec.specularFactor = m.specularFactor;
      if (m.specularColorFactor) spec.specularColorFactor = [...m.specularColorFactor];
      if (m.specularPng) spec.specularTexture = { index: b.image(m.specularPng, "specular") };
      if (m.specularColorPng) spec.specularColorTexture = { index: b.image(m.specularColorPng, "specularColor") };
      material.extensions = { KHR_materials_specular: spec };
      if (!used.includes("KHR_materials_specular")) used.push("KHR_materials_specular");
    }
    check(!(pbr.baseColorTexture || m.specularPng || m.specularColorPng) || !!uv, "textures need uv");
    return materials.push(material) - 1;
  };
  const primary = asset.material || uv ? addMaterial(asset.material ?? {}) : undefined;

  const primitives = ranges.map((r) => {
    const slice = indices.subarray(r.triangleStart * 3, (r.triangleStart + r.triangleCount) * 3);
    const idx = small ? Uint16Array.from(slice) : slice;
    const primitive: any = {
      attributes,
      indices: b.accessor({
        bufferView: b.view(bytesOf(idx), ELEMENT_ARRAY_BUFFER),
        componentType: small ? UNSIGNED_SHORT : UNSIGNED_INT,
        count: slice.length,
        type: "SCALAR",
      }),
      mode: 4,
    };
    const material = "material" in r && r.material ? addMaterial(r.material) : primary;
    if (material !== undefined) primitive.material = material;
    if (targetAccessors) primitive.targets = targetAccessors;
    return primitive;
  });
  const mesh: any = { name: asset.name ?? "face", primitives };
  if (targets.length) {
    mesh.weights = targets.map((t) => t.weight ?? 0);
    mesh.extras = { targetNames: targets.map((t) => t.name) };
  }
  if (materials.length) b.json.materials = materials;

  const animations = asset.animations ?? [];
  if (animations.length) {
    check(targets.length > 0, "animations drive morph weights, so the mesh needs morph targets");
    b.json.animations = animations.map((anim, i) => {
      const interpolation = anim.interpolation ?? "LINEAR";
      const perKey = targets.length * (interpolation === "CUBICSPLINE" ? 3 : 1);
      check(anim.times.length > 0, `animation ${i}: no keyframes`);
      for (let k = 1; k < anim.times.length; k++) check(anim.times[k]! > anim.times[k - 1]!, `animation ${i}: times must increase`);
      check(anim.weights.length === anim.times.length * perKey, `animation ${i}: weights must be [${anim.times.length}×${perKey}]`);
      const input = b.floats(anim.times, "SCALAR", true);
      const output = b.floats(anim.weights, "SCALAR", false);
      return {
        name: anim.name ?? `animation${i}`,
        samplers: [{ input, output, interpolation }],
        channels: [{ sampler: 0, target: { node: 0, path: "weights" } }],
      };
    });
  }

  const json = b.json;
  json.asset = { version: "2.0", generator: "DreamFace Workbench" };
  if (asset.extras) json.asset.extras = asset.extras;
  if (used.length) json.extensionsUsed = used;
  json.scene = 0;
  json.scenes = [{ nodes: [0] }];
  json.nodes = [{ name: asset.name ?? "face", mesh: 0 }];
  json.meshes = [mesh];
  json.buffers = [{ byteLength: Math.ceil(b.length / 4) * 4 }];
  return pack(json, b.chunks, b.length);
}

function pack(json: any, chunks: Uint8Array[], binLength: number): Uint8Array {
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonLen = Math.ceil(jsonBytes.length / 4) * 4;
  const binLen = Math.ceil(binLength / 4) * 4;
  const total = 12 + 8 + jsonLen + 8 + binLen;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); // "glTF"
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLen, true);
  dv.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLen);
  let o = 20 + jsonLen;
  dv.setUint32(o, binLen, true);
  dv.setUint32(o + 4, 0x004e4942, true); // "BIN\0"
  o += 8;
  for (const c of chunks) { out.set(c, o); o += c.byteLength; }
  return out;
}
