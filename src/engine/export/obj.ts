/**
 * Wavefront OBJ + MTL writers. Positions keep 7 significant digits (float32 precision), so a
 * written mesh reads back to within ~1e-6 of the float32 values.
 */

export interface ObjWriteMesh {
  /** `[V*3]` positions. */
  positions: Float32Array;
  /** `[V*3]` optional per-vertex normals (written as `vn`, indexed like the vertices). */
  normals?: Float32Array;
  /** `[U*2]` texture coordinates, OBJ convention (v up). */
  uvs?: Float32Array;
  /**
   * Faces: `faceStart` `[F+1]` delimits polygons in `faceVertices`; omit it for triangles.
   * `faceUvs` (same length as `faceVertices`) indexes `uvs`; omit it when uvs are per vertex
   * (a seam-split mesh), then the vertex index is used.
   */
  faceStart?: Uint32Array;
  faceVertices: Uint32Array;
  faceUvs?: Uint32Array;
}

export interface ObjWriteOptions {
  /** Header comment lines (without "#"). */
  comments?: readonly string[];
  /** `mtllib` file name and the material used for every face. */
  mtllib?: string;
  material?: string;
  /** Per-range materials instead of `material`: `usemtl name` before face `firstFace` (increasing). */
  groups?: readonly { material: string; firstFace: number }[];
}

const num = (x: number) => {
  const s = x.toPrecision(7);
  // Drop trailing zeros ("1.500000" → "1.5") to keep files small.
  if (!s.includes(".")) return s;
  return s.includes("e") ? s.replace(/\.?0+e/, "e") : s.replace(/\.?0+$/, "");
};

export function writeObj(mesh: ObjWriteMesh, opts: ObjWriteOptions = {}): string {
  const { positions, normals, uvs, faceVertices, faceUvs } = mesh;
  const V = positions.length / 3;
  if (!Number.isInteger(V)) throw new Error("positions length must be a multiple of 3");
  if (normals && normals.length !== positions.length) throw new Error("normals must be per vertex");
  const perVertexUv = uvs !== undefined && faceUvs === undefined;
  if (perVertexUv && uvs.length !== V * 2) throw new Error("uvs without faceUvs must be per vertex ([V*2])");
  if (faceUvs && faceUvs.length !== faceVertices.length) throw new Error("faceUvs must match faceVertices");
  const out: string[] = [];
  for (const c of opts.comments ?? []) out.push(`# ${c}`);
  if (opts.mtllib) out.push(`mtllib ${opts.mtllib}`);
  for (let i = 0; i < positions.length; i += 3) out.push(`v ${num(positions[i]!)} ${num(positions[i + 1]!)} ${num(positions[i + 2]!)}`);
  if (uvs) for (let i = 0; i < uvs.length; i += 2) out.push(`vt ${num(uvs[i]!)} ${num(uvs[i + 1]!)}`);
  if (normals) for (let i = 0; i < normals.length; i += 3) out.push(`vn ${num(normals[i]!)} ${num(normals[i + 1]!)} ${num(normals[i + 2]!)}`);
  if (opts.material && !opts.groups) out.push(`usemtl ${opts.material}`);
  const start = mesh.faceStart;
  const F = start ? start.length - 1 : faceVertices.length / 3;
  const groups = opts.groups ?? [];
  let g = 0;
  for (let f = 0; f < F; f++) {
    while (g < groups.length && groups[g]!.firstFace <= f) out.push(`usemtl ${groups[g++]!.material}`);
    const s = start ? start[f]! : f * 3, e = start ? start[f + 1]! : f * 3 + 3;
    let line = "f";
    for (let c = s; c < e; c++) {
      const v = faceVertices[c]! + 1;
      if (v > V) throw new Error(`face ${f} uses vertex ${v - 1} of ${V}`);
      const t = uvs ? (faceUvs ? faceUvs[c]! : faceVertices[c]!) + 1 : 0;
      line += normals ? (uvs ? ` ${v}/${t}/${v}` : ` ${v}//${v}`) : uvs ? ` ${v}/${t}` : ` ${v}`;
    }
    out.push(line);
  }
  return out.join("\n") + "\n";
}

export interface MtlMaterial {
  name: string;
  /** File names (relative to the .mtl) of the maps, when written beside it. */
  baseColorTexture?: string;
  normalTexture?: string;
  specularTexture?: string;
  /** Diffuse colour when no texture is given (linear RGB, 0–1). */
  diffuse?: readonly [number, number, number];
  /** Opacity `d` (1 = opaque). */
  opacity?: number;
}

export function writeMtl(materials: readonly MtlMaterial[]): string {
  const out: string[] = [];
  for (const m of materials) {
    const [r, g, b] = m.diffuse ?? [0.8, 0.8, 0.8];
    out.push(`newmtl ${m.name}`, `Kd ${num(r)} ${num(g)} ${num(b)}`, "Ka 0 0 0", "Ks 0.1 0.1 0.1", "Ns 30", "illum 2");
    if (m.opacity !== undefined && m.opacity < 1) out.push(`d ${num(m.opacity)}`);
    if (m.baseColorTexture) out.push(`map_Kd ${m.baseColorTexture}`);
    if (m.specularTexture) out.push(`map_Ks ${m.specularTexture}`);
    if (m.normalTexture) out.push(`norm ${m.normalTexture}`, `map_Bump -bm 1 ${m.normalTexture}`);
    out.push("");
  }
  return out.join("\n");
}
