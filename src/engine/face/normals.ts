/**
 * Per-vertex normals and tangents. Normals are area-weighted (the unnormalised face normal is
 * twice the area times the unit normal, so summing it weights by area for free). Tangents follow
 * MikkTSpace's idea on a per-vertex basis: accumulate each triangle's UV-derived tangent and
 * bitangent, then Gram–Schmidt against the normal; w = ±1 is the handedness, as glTF expects.
 */

/** `[V*3]` unit normals for `positions` `[V*3]` and `triangles` `[T*3]`; isolated vertices get +z. */
export function vertexNormals(positions: Float32Array, triangles: Uint32Array, out?: Float32Array): Float32Array {
  const n = out ?? new Float32Array(positions.length);
  if (n.length !== positions.length) throw new Error(`out has length ${n.length}, expected ${positions.length}`);
  n.fill(0);
  const p = positions;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3, b = triangles[t + 1]! * 3, c = triangles[t + 2]! * 3;
    const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    n[a]! += nx; n[a + 1]! += ny; n[a + 2]! += nz;
    n[b]! += nx; n[b + 1]! += ny; n[b + 2]! += nz;
    n[c]! += nx; n[c + 1]! += ny; n[c + 2]! += nz;
  }
  for (let i = 0; i < n.length; i += 3) {
    // sqrt of the sum, not Math.hypot: hypot's overflow-safe scaling cost ~40 % of this function
    // per frame, and these float32 sums cannot overflow a double.
    const x = n[i]!, y = n[i + 1]!, z = n[i + 2]!;
    const l = Math.sqrt(x * x + y * y + z * z);
    if (l > 1e-20) { n[i] = x / l; n[i + 1] = y / l; n[i + 2] = z / l; }
    else { n[i] = 0; n[i + 1] = 0; n[i + 2] = 1; }
  }
  return n;
}

/**
 * Adjoint of `vertexNormals` (area-weighted
 * sum of unnormalised face normals, then normalised): dL/dnormals `[V*3]` → dL/dpositions
 * `[V*3]`, accumulated into `out`. This is how shading gradients reach vertex positions.
 */
export function vertexNormalsBackward(positions: Float32Array, triangles: Uint32Array, gradNormals: Float32Array, out: Float32Array = new Float32Array(positions.length)): Float32Array {
  const p = positions;
  const V = p.length / 3;
  // Recompute the unnormalised sums (cheap) and push the gradient through the normalisation.
  const sum = new Float64Array(V * 3);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3, b = triangles[t + 1]! * 3, c = triangles[t + 2]! * 3;
    const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    sum[a] += nx; sum[a + 1] += ny; sum[a + 2] += nz;
    sum[b] += nx; sum[b + 1] += ny; sum[b + 2] += nz;
    sum[c] += nx; sum[c + 1] += ny; sum[c + 2] += nz;
  }
  const gSum = new Float64Array(V * 3);
  for (let i = 0; i < V * 3; i += 3) {
    const l = Math.sqrt(sum[i]! * sum[i]! + sum[i + 1]! * sum[i + 1]! + sum[i + 2]! * sum[i + 2]!);
    if (l <= 1e-20) continue; // constant +z fallback: no gradient
    const nx = sum[i]! / l, ny = sum[i + 1]! / l, nz = sum[i + 2]! / l;
    const gx = gradNormals[i]!, gy = gradNormals[i + 1]!, gz = gradNormals[i + 2]!;
    const d = nx * gx + ny * gy + nz * gz;
    gSum[i] = (gx - nx * d) / l;
    gSum[i + 1] = (gy - ny * d) / l;
    gSum[i + 2] = (gz - nz * d) / l;
  }
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3, b = triangles[t + 1]! * 3, c = triangles[t + 2]! * 3;
    const gx = gSum[a]! + gSum[b]! + gSum[c]!, gy = gSum[a + 1]! + gSum[b + 1]! + gSum[c + 1]!, gz = gSum[a + 2]! + gSum[b + 2]! + gSum[c + 2]!;
    if (gx === 0 && gy === 0 && gz === 0) continue;
    const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
    // n = u × v: dL/du = v × g, dL/dv = g × u.
    const gux = vy * gz - vz * gy, guy = vz * gx - vx * gz, guz = vx * gy - vy * gx;
    const gvx = gy * uz - gz * uy, gvy = gz * ux - gx * uz, gvz = gx * uy - gy * ux;
    out[b] += gux; out[b + 1] += guy; out[b + 2] += guz;
    out[c] += gvx; out[c + 1] += gvy; out[c + 2] += gvz;
    out[a] -= gux + gvx; out[a + 1] -= guy + gvy; out[a + 2] -= guz + gvz;
  }
  return out;
}

/**
 * `[V*4]` tangents (xyz unit, orthogonal to the normal; w = ±1 handedness) for a mesh whose
 * positions `[V*3]`, normals `[V*3]` and uv `[V*2]` are all per vertex, e.g. a seam-split mesh.
 */
export function vertexTangents(positions: Float32Array, normals: Float32Array, uv: Float32Array, triangles: Uint32Array): Float32Array {
  const V = positions.length / 3;
  if (normals.length !== V * 3 || uv.length !== V * 2) throw new Error(`tangents need per-vertex normals [${V * 3}] and uv [${V * 2}]`);
  const tan = new Float64Array(V * 3), bit = new Float64Array(V * 3);
  const p = positions;
  for (let t = 0; t < triangles.length; t += 3) {
    const i0 = triangles[t]!, i1 = triangles[t + 1]!, i2 = triangles[t + 2]!;
    const x1 = p[i1 * 3]! - p[i0 * 3]!, y1 = p[i1 * 3 + 1]! - p[i0 * 3 + 1]!, z1 = p[i1 * 3 + 2]! - p[i0 * 3 + 2]!;
    const x2 = p[i2 * 3]! - p[i0 * 3]!, y2 = p[i2 * 3 + 1]! - p[i0 * 3 + 1]!, z2 = p[i2 * 3 + 2]! - p[i0 * 3 + 2]!;
    const s1 = uv[i1 * 2]! - uv[i0 * 2]!, t1 = uv[i1 * 2 + 1]! - uv[i0 * 2 + 1]!;
    const s2 = uv[i2 * 2]! - uv[i0 * 2]!, t2 = uv[i2 * 2 + 1]! - uv[i0 * 2 + 1]!;
    const det = s1 * t2 - s2 * t1;
    if (Math.abs(det) < 1e-20) continue; // degenerate UV triangle: contributes no direction
    // Weighting by the UV area sign only (not 1/det) keeps tiny UV triangles from dominating.
    const r = Math.sign(det);
    const tx = (x1 * t2 - x2 * t1) * r, ty = (y1 * t2 - y2 * t1) * r, tz = (z1 * t2 - z2 * t1) * r;
    const bx = (x2 * s1 - x1 * s2) * r, by = (y2 * s1 - y1 * s2) * r, bz = (z2 * s1 - z1 * s2) * r;
    for (const i of [i0, i1, i2]) {
      tan[i * 3]! += tx; tan[i * 3 + 1]! += ty; tan[i * 3 + 2]! += tz;
      bit[i * 3]! += bx; bit[i * 3 + 1]! += by; bit[i * 3 + 2]! += bz;
    }
  }
  const out = new Float32Array(V * 4);
  for (let i = 0; i < V; i++) {
    const nx = normals[i * 3]!, ny = normals[i * 3 + 1]!, nz = normals[i * 3 + 2]!;
    let tx = tan[i * 3]!, ty = tan[i * 3 + 1]!, tz = tan[i * 3 + 2]!;
    const d = tx * nx + ty * ny + tz * nz;
    tx -= d * nx; ty -= d * ny; tz -= d * nz;
    let l = Math.hypot(tx, ty, tz);
    if (l < 1e-12) {
      // No usable UV gradient: any unit vector orthogonal to the normal keeps the frame valid.
      if (Math.abs(nx) < 0.9) { tx = 0; ty = -nz; tz = ny; } else { tx = nz; ty = 0; tz = -nx; }
      l = Math.hypot(tx, ty, tz);
    }
    tx /= l; ty /= l; tz /= l;
    // Handedness: does (N × T) point along the accumulated bitangent?
    const cx = ny * tz - nz * ty, cy = nz * tx - nx * tz, cz = nx * ty - ny * tx;
    const w = cx * bit[i * 3]! + cy * bit[i * 3 + 1]! + cz * bit[i * 3 + 2]! < 0 ? -1 : 1;
    out[i * 4] = tx; out[i * 4 + 1] = ty; out[i * 4 + 2] = tz; out[i * 4 + 3] = w;
  }
  return out;
}
