/**
 * Combining two tangent-space normal maps (encoded n·0.5 + 0.5, channels-last RGB):
 * the normal decoded from the texture latent (base) and the carved detail map N_d (detail).
 * - "rnm": Reoriented Normal Mapping (Barré-Brisebois & Hill 2012) rotates the detail normal
 *   from the up vector onto the base normal; it keeps the detail's strength on slopes.
 * - "udn": adds the two xy perturbations and keeps the base z (Unreal's "UDN" blend); cheaper,
 *   flattens detail on steep base normals.
 * Output is re-encoded to [0, 1].
 */
export type NormalBlend = "rnm" | "udn";

export function blendNormals(base: Float32Array, detail: Float32Array, mode: NormalBlend = "rnm", out: Float32Array = new Float32Array(base.length)): Float32Array {
  if (base.length !== detail.length) throw new Error(`blendNormals: base has ${base.length} values, detail ${detail.length}`);
  for (let i = 0; i < base.length; i += 3) {
    const bx = base[i]! * 2 - 1, by = base[i + 1]! * 2 - 1, bz = base[i + 2]! * 2 - 1;
    const dx = detail[i]! * 2 - 1, dy = detail[i + 1]! * 2 - 1, dz = detail[i + 2]! * 2 - 1;
    let rx: number, ry: number, rz: number;
    if (mode === "rnm") {
      // t = base + (0,0,1), u = detail·(−1,−1,1); r = t·(t·u)/t.z − u.
      const tx = bx, ty = by, tz = bz + 1;
      const ux = -dx, uy = -dy, uz = dz;
      const k = tz > 1e-6 ? (tx * ux + ty * uy + tz * uz) / tz : 0;
      rx = tx * k - ux;
      ry = ty * k - uy;
      rz = tz * k - uz;
      if (tz <= 1e-6) (rx = dx), (ry = dy), (rz = dz); // base points straight down: keep detail.
    } else {
      rx = bx + dx;
      ry = by + dy;
      rz = bz;
    }
    const len = Math.hypot(rx, ry, rz) || 1;
    out[i] = (rx / len) * 0.5 + 0.5;
    out[i + 1] = (ry / len) * 0.5 + 0.5;
    out[i + 2] = (rz / len) * 0.5 + 0.5;
  }
  return out;
}

/** Encoded normals ([0, 1] per axis) renormalised to unit length, in place (resampling shortens them). */
export function renormalizeNormals(n: Float32Array): Float32Array {
  for (let i = 0; i < n.length; i += 3) {
    const x = n[i]! * 2 - 1, y = n[i + 1]! * 2 - 1, z = n[i + 2]! * 2 - 1;
    const l = Math.hypot(x, y, z) || 1;
    n[i] = x / l / 2 + 0.5;
    n[i + 1] = y / l / 2 + 0.5;
    n[i + 2] = z / l / 2 + 0.5;
  }
  return n;
}
