// Small test meshes with UVs and no seams.

/** An n×n-quad grid over [−1, 1]² in the z = 0 plane with smooth bumps, uv = 0.1 + 0.4·(x+1, y+1). */
export function bumpyGrid(n = 6, amplitude = 0.25): { positions: Float32Array; triangles: Uint32Array; uv: Float32Array } {
  const V = (n + 1) * (n + 1);
  const positions = new Float32Array(V * 3);
  const uv = new Float32Array(V * 2);
  for (let j = 0; j <= n; j++)
    for (let i = 0; i <= n; i++) {
      const v = j * (n + 1) + i;
      const x = -1 + (2 * i) / n, y = -1 + (2 * j) / n;
      positions[3 * v] = x;
      positions[3 * v + 1] = y;
      positions[3 * v + 2] = amplitude * Math.sin(2.1 * x + 0.3) * Math.cos(1.7 * y - 0.2);
      // Inside [0.1, 0.9] so clamped texture borders (slope 0) are never sampled.
      uv[2 * v] = 0.1 + 0.4 * (x + 1);
      uv[2 * v + 1] = 0.1 + 0.4 * (y + 1);
    }
  const tris: number[] = [];
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i, b = a + 1, c = a + n + 1, d = c + 1;
      tris.push(a, b, d, a, d, c);
    }
  return { positions, triangles: Uint32Array.from(tris), uv };
}

/** A smooth texture `[h*w*C]` (low frequencies, so bilinear kinks stay small). */
export function smoothTexture(w: number, h: number, C: number, phase = 0): Float32Array {
  const t = new Float32Array(w * h * C);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < C; c++)
        t[(y * w + x) * C + c] = 0.5 + 0.3 * Math.sin((x / w) * 3.1 + c + phase) * Math.cos((y / h) * 2.3 - c * 0.7);
  return t;
}

/** A smooth tangent-space normal map `[h*w*3]` around (0, 0, 1). */
export function smoothNormalMap(w: number, h: number): Float32Array {
  const t = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      t[i] = 0.3 * Math.sin((x / w) * 4.0);
      t[i + 1] = 0.3 * Math.cos((y / h) * 3.0);
      t[i + 2] = 1;
    }
  return t;
}

/**
 * A texture affine in the texel coordinates: bilinear lookup of it is exactly affine in uv
 * (no kinks at texel centres), so finite differences through uv are exact away from borders.
 */
export function affineTexture(w: number, h: number, C: number, base = 0.5): Float32Array {
  const t = new Float32Array(w * h * C);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < C; c++) t[(y * w + x) * C + c] = base + (0.4 * (x - w / 2)) / w * (c % 2 ? -1 : 1) + (0.3 * (y - h / 2)) / h * (c === 1 ? -1 : 1);
  return t;
}

/** An affine tangent-space normal map around (0, 0, 1). */
export function affineNormalMap(w: number, h: number): Float32Array {
  const t = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      t[i] = (0.6 * (x - w / 2)) / w;
      t[i + 1] = (-0.5 * (y - h / 2)) / h;
      t[i + 2] = 1;
    }
  return t;
}
