/**
 * shadingNormals(geomN, tangent, bitangent, tangentSpace, mask) → Float32Array [N*3]
 *
 * Per-pixel shading normals from tangent-space normal maps: with ng = normalize(geomN),
 * n = normalize(tx·T + ty·B + tz·ng), where geomN, T, B `[N*3]` are the interpolated vertex
 * normal, tangent and bitangent, and (tx, ty, tz) `[N*3]` the sampled map value, decoded to
 * [−1, 1] (flat = (0, 0, 1); pass null for no map, giving n = ng). `mask` (e.g. triangleId)
 * selects the pixels; others stay 0.
 *
 * shadingNormalsBackward: dL/dn → dL/dtangentSpace, dL/dgeomN, dL/dtangent and
 * dL/dbitangent (all `[N*3]`; the last two are null without a map).
 */
export function shadingNormals(geomN: Float32Array, tangent: Float32Array | null, bitangent: Float32Array | null, tangentSpace: Float32Array | null, mask: Int32Array, out?: Float32Array): Float32Array {
  const N = mask.length;
  const o = out ?? new Float32Array(N * 3);
  if (tangentSpace && (!tangent || !bitangent)) throw new Error("shadingNormals: a normal map needs the tangent and bitangent");
  for (let p = 0; p < N; p++) {
    const i = 3 * p;
    if (mask[p] === 0) { o[i] = 0; o[i + 1] = 0; o[i + 2] = 0; continue; }
    let gx = geomN[i]!, gy = geomN[i + 1]!, gz = geomN[i + 2]!;
    const gl = Math.sqrt(gx * gx + gy * gy + gz * gz) || 1;
    gx /= gl; gy /= gl; gz /= gl;
    if (tangentSpace) {
      const tx = tangentSpace[i]!, ty = tangentSpace[i + 1]!, tz = tangentSpace[i + 2]!;
      const mx = tx * tangent![i]! + ty * bitangent![i]! + tz * gx;
      const my = tx * tangent![i + 1]! + ty * bitangent![i + 1]! + tz * gy;
      const mz = tx * tangent![i + 2]! + ty * bitangent![i + 2]! + tz * gz;
      const ml = Math.sqrt(mx * mx + my * my + mz * mz) || 1;
      o[i] = mx / ml; o[i + 1] = my / ml; o[i + 2] = mz / ml;
    } else {
      o[i] = gx; o[i + 1] = gy; o[i + 2] = gz;
    }
  }
  return o;
}

export interface ShadingNormalGrads {
  tangentSpace: Float32Array | null;
  geomN: Float32Array;
  tangent: Float32Array | null;
  bitangent: Float32Array | null;
}

export function shadingNormalsBackward(
  geomN: Float32Array,
  tangent: Float32Array | null,
  bitangent: Float32Array | null,
  tangentSpace: Float32Array | null,
  mask: Int32Array,
  gradN: Float32Array,
): ShadingNormalGrads {
  const N = mask.length;
  const gTs = tangentSpace ? new Float32Array(N * 3) : null;
  const gG = new Float32Array(N * 3);
  const gT = tangentSpace ? new Float32Array(N * 3) : null;
  const gB = tangentSpace ? new Float32Array(N * 3) : null;
  for (let p = 0; p < N; p++) {
    if (mask[p] === 0) continue;
    const i = 3 * p;
    let hx = gradN[i]!, hy = gradN[i + 1]!, hz = gradN[i + 2]!;
    if (hx === 0 && hy === 0 && hz === 0) continue;
    const rx = geomN[i]!, ry = geomN[i + 1]!, rz = geomN[i + 2]!;
    const gl = Math.sqrt(rx * rx + ry * ry + rz * rz) || 1;
    const gx = rx / gl, gy = ry / gl, gz = rz / gl;
    if (tangentSpace) {
      const tx = tangentSpace[i]!, ty = tangentSpace[i + 1]!, tz = tangentSpace[i + 2]!;
      const Tx = tangent![i]!, Ty = tangent![i + 1]!, Tz = tangent![i + 2]!;
      const Bx = bitangent![i]!, By = bitangent![i + 1]!, Bz = bitangent![i + 2]!;
      const mx = tx * Tx + ty * Bx + tz * gx, my = tx * Ty + ty * By + tz * gy, mz = tx * Tz + ty * Bz + tz * gz;
      const ml = Math.sqrt(mx * mx + my * my + mz * mz) || 1;
      const nx = mx / ml, ny = my / ml, nz = mz / ml;
      const d = nx * hx + ny * hy + nz * hz;
      const gmx = (hx - nx * d) / ml, gmy = (hy - ny * d) / ml, gmz = (hz - nz * d) / ml;
      gTs![i] = gmx * Tx + gmy * Ty + gmz * Tz;
      gTs![i + 1] = gmx * Bx + gmy * By + gmz * Bz;
      gTs![i + 2] = gmx * gx + gmy * gy + gmz * gz;
      gT![i] = tx * gmx; gT![i + 1] = tx * gmy; gT![i + 2] = tx * gmz;
      gB![i] = ty * gmx; gB![i + 1] = ty * gmy; gB![i + 2] = ty * gmz;
      hx = tz * gmx; hy = tz * gmy; hz = tz * gmz;
    }
    // Through ng = normalize(geomN).
    const d = gx * hx + gy * hy + gz * hz;
    gG[i] = (hx - gx * d) / gl;
    gG[i + 1] = (hy - gy * d) / gl;
    gG[i + 2] = (hz - gz * d) / gl;
  }
  return { tangentSpace: gTs, geomN: gG, tangent: gT, bitangent: gB };
}

/** Per-vertex bitangents `[V*3]` = w·(n × t) from normals `[V*3]` and glTF tangents `[V*4]`. */
export function vertexBitangents(normals: Float32Array, tangents: Float32Array): Float32Array {
  const V = normals.length / 3;
  const b = new Float32Array(V * 3);
  for (let i = 0; i < V; i++) {
    const nx = normals[3 * i]!, ny = normals[3 * i + 1]!, nz = normals[3 * i + 2]!;
    const tx = tangents[4 * i]!, ty = tangents[4 * i + 1]!, tz = tangents[4 * i + 2]!, w = tangents[4 * i + 3]!;
    b[3 * i] = w * (ny * tz - nz * ty);
    b[3 * i + 1] = w * (nz * tx - nx * tz);
    b[3 * i + 2] = w * (nx * ty - ny * tx);
  }
  return b;
}

/**
 * Adjoint of vertexBitangents w.r.t. the normals: dL/db `[V*3]` → dL/dnormals, accumulated
 * into `out` (the tangents are constants).
 */
export function vertexBitangentsBackward(tangents: Float32Array, gradB: Float32Array, out: Float32Array): Float32Array {
  const V = gradB.length / 3;
  for (let i = 0; i < V; i++) {
    const gx = gradB[3 * i]!, gy = gradB[3 * i + 1]!, gz = gradB[3 * i + 2]!;
    const tx = tangents[4 * i]!, ty = tangents[4 * i + 1]!, tz = tangents[4 * i + 2]!, w = tangents[4 * i + 3]!;
    // b = w·(n × t) ⇒ dL/dn = w·(t × g).
    out[3 * i] += w * (ty * gz - tz * gy);
    out[3 * i + 1] += w * (tz * gx - tx * gz);
    out[3 * i + 2] += w * (tx * gy - ty * gx);
  }
  return out;
}

/** Packs xyz of glTF tangents `[V*4]` into `[V*3]`. */
export function tangentXyz(tangents: Float32Array): Float32Array {
  const V = tangents.length / 4;
  const t = new Float32Array(V * 3);
  for (let i = 0; i < V; i++) { t[3 * i] = tangents[4 * i]!; t[3 * i + 1] = tangents[4 * i + 1]!; t[3 * i + 2] = tangents[4 * i + 2]!; }
  return t;
}
