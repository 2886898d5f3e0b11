/**
 * Artist-made hairstyles beside the procedural ones.
 *
 * How to add one: put the mesh (.obj, or .glb) in the hair library folder —
 * $DREAMFACE_HAIR_DIR, else <user cache>/dreamface/hair (see data-loaders/io/paths.ts), or
 * `dreamface hair --hair-dir DIR` — and list it in that folder's hairstyles.json:
 *
 *   [{ "name": "wavy lob", "file": "wavy-lob.obj", "anchor": "ict-full-head",
 *      "licence": "CC-BY-4.0, Jane Artist 2026" }]
 *
 * Model it on ICT-FaceKit's neutral head (generic_neutral_mesh.obj): same frame (+y up, the
 * face looks along +z), .obj in ICT's units (cm); .glb in glTF's metres (what our writer
 * exports, ×0.01), read back ×100. Node transforms in a .glb are not applied: bake them.
 * Each hairstyle is checked against the neutral head's bounding box (a file in the wrong
 * units or frame is refused with the reason) and fitted to the carved head at run time by
 * fitHairToHead (each hair vertex follows its nearest head vertex).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { z } from "zod";
import { UserError } from "../cli/errors.js";
import { userCacheDir } from "../io/paths.js";
import { parseObj } from "../../src/engine/face/obj.js";
import { triangulate } from "../../src/engine/face/triangulate.js";
import { fitHairToHead, hairProblem } from "../../src/engine/stages/geometry/hair/fit.js";
import type { HairMesh } from "../../src/engine/stages/geometry/hair/mesh.js";
import type { HairCandidate } from "../../src/engine/stages/geometry/hair/select.js";

export const HAIR_INDEX = "hairstyles.json";

const entrySchema = z.object({
  name: z.string().min(1),
  file: z.string().min(1),
  anchor: z.literal("ict-full-head"),
  licence: z.string().min(1),
}).strict();
const indexSchema = z.array(entrySchema);

export type HairEntry = z.infer<typeof entrySchema>;

export interface ArtistHair extends HairEntry {
  /** Absolute path of the mesh file. */
  path: string;
  /** As authored, on the ICT neutral head, cm. */
  mesh: HairMesh;
}

export function defaultHairDir(): string {
  return resolve(process.env.DREAMFACE_HAIR_DIR ?? join(userCacheDir(), "hair"));
}

/** Reads a hair mesh (.obj in cm, .glb in metres) as triangles in cm. */
export function readHairMesh(path: string): HairMesh {
  const bytes = new Uint8Array(readFileSync(path));
  const ext = extname(path).toLowerCase();
  if (ext === ".obj") {
    const obj = parseObj(bytes, basename(path));
    return { positions: obj.positions, triangles: triangulate(obj.polygonStart, obj.polygonVertices) };
  }
  if (ext === ".glb") return readGlbMesh(bytes, basename(path));
  throw new Error(`${basename(path)}: unsupported hair mesh format "${ext}" (use .obj or .glb)`);
}

/** Every triangle primitive of every mesh in a .glb, merged; positions ×100 (m → cm). */
function readGlbMesh(bytes: Uint8Array, name: string): HairMesh {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 20 || dv.getUint32(0, true) !== 0x46546c67) throw new Error(`${name}: not a binary glTF (.glb) file`);
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- glTF JSON is an open schema
  let bin: Uint8Array | undefined;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const len = dv.getUint32(o, true), type = dv.getUint32(o + 4, true);
    const chunk = bytes.subarray(o + 8, o + 8 + len);
    if (type === 0x4e4f534a) json = JSON.parse(new TextDecoder().decode(chunk));
    else if (type === 0x004e4942) bin = chunk;
    o += 8 + len;
  }
  if (!json || !bin) throw new Error(`${name}: a .glb needs a JSON and a BIN chunk`);
  const read = (index: number, want: "VEC3" | "SCALAR"): Float32Array | Uint32Array => {
    const a = json.accessors?.[index];
    if (!a || a.bufferView === undefined || a.sparse) throw new Error(`${name}: accessor ${index} is missing, sparse or has no bufferView`);
    if (a.type !== want) throw new Error(`${name}: accessor ${index} is ${a.type}, expected ${want}`);
    const bv = json.bufferViews[a.bufferView];
    const off = (bv.byteOffset ?? 0) + (a.byteOffset ?? 0);
    const k = want === "VEC3" ? 3 : 1;
    const src = new DataView(bin!.buffer, bin!.byteOffset + off);
    const size = { 5126: 4, 5125: 4, 5123: 2, 5121: 1 }[a.componentType as number];
    if (!size) throw new Error(`${name}: accessor ${index} has unsupported componentType ${a.componentType}`);
    const stride = bv.byteStride ?? size * k;
    const out = a.componentType === 5126 ? new Float32Array(a.count * k) : new Uint32Array(a.count * k);
    for (let i = 0; i < a.count; i++)
      for (let j = 0; j < k; j++) {
        const at = i * stride + j * size;
        out[i * k + j] = a.componentType === 5126 ? src.getFloat32(at, true) : size === 4 ? src.getUint32(at, true) : size === 2 ? src.getUint16(at, true) : src.getUint8(at);
      }
    return out;
  };
  const positions: number[] = [], triangles: number[] = [];
  for (const mesh of json.meshes ?? [])
    for (const prim of mesh.primitives ?? []) {
      if ((prim.mode ?? 4) !== 4) continue;
      const base = positions.length / 3;
      const pos = read(prim.attributes.POSITION, "VEC3");
      for (const x of pos) positions.push(x * 100);
      const V = pos.length / 3;
      const idx = prim.indices !== undefined ? read(prim.indices, "SCALAR") : Uint32Array.from({ length: V }, (_, i) => i);
      for (const i of idx) triangles.push(base + i);
    }
  if (positions.length === 0) throw new Error(`${name}: no triangle meshes in the .glb`);
  return { positions: Float32Array.from(positions), triangles: Uint32Array.from(triangles) };
}

/**
 * The library in `dir`: every entry of hairstyles.json, read and validated against the ICT
 * neutral head `neutral` ([V*3], cm). A missing default folder means no artist styles; a
 * folder given explicitly must have the index. Problems throw UserError naming the file.
 */
export function loadHairLibrary(dir: string | undefined, neutral: Float32Array): ArtistHair[] {
  const root = dir ? resolve(dir) : defaultHairDir();
  const indexPath = join(root, HAIR_INDEX);
  if (!existsSync(indexPath)) {
    if (dir) throw new UserError(`hair library ${root} has no ${HAIR_INDEX} (a JSON list of {name, file, anchor: "ict-full-head", licence})`);
    return [];
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (error) {
    throw new UserError(`${indexPath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = indexSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${indexPath}: entry ${issue.path.join(".")}: ${issue.message} (each entry is {name, file, anchor: "ict-full-head", licence})`);
  }
  const seen = new Set<string>();
  return parsed.data.map((entry) => {
    if (seen.has(entry.name)) throw new UserError(`${indexPath}: the name "${entry.name}" is used twice`);
    seen.add(entry.name);
    const path = resolve(root, entry.file);
    if (!existsSync(path)) throw new UserError(`${indexPath}: hairstyle "${entry.name}": file not found: ${path}`);
    let mesh: HairMesh;
    try {
      mesh = readHairMesh(path);
    } catch (error) {
      throw new UserError(`hairstyle "${entry.name}" (${path}): ${(error as Error).message}`);
    }
    const problem = hairProblem(mesh, neutral);
    if (problem) throw new UserError(`hairstyle "${entry.name}" (${path}) was not authored against ICT's neutral head: ${problem}`);
    return { ...entry, path, mesh };
  });
}

/** Library hairstyles fitted to `head` (same ICT vertex order as `neutral`), as selection candidates. */
export function artistCandidates(library: readonly ArtistHair[], neutral: Float32Array, head: Float32Array): HairCandidate[] {
  return library.map((h) => ({ name: h.name, source: "artist" as const, mesh: fitHairToHead(h.mesh, neutral, head) }));
}
