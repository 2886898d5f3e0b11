/**
 * Adjoint of the face engine's `vertexNormals` (src/engine/face/normals.ts: area-weighted
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
