/**
 * The carving regularizers of paper Eq. 7, each beside its analytic gradient (the loss
 * returns its value and, when `grad` is given, ADDS ∂L/∂x into it so callers can sum terms
 * into one buffer). Scales are means, not sums, so a λ keeps its meaning across mesh and
 * normal-map resolutions.
 */

/** L_sha = (1/K)·‖β† − β*‖². */
export function shapeLoss(beta: Float32Array, betaStar: Float32Array, grad?: Float32Array, weight = 1): number {
  if (beta.length !== betaStar.length) throw new Error(`shapeLoss: β has ${beta.length} values, β* has ${betaStar.length}`);
  const k = beta.length || 1;
  let s = 0;
  for (let i = 0; i < beta.length; i++) {
    const d = beta[i]! - betaStar[i]!;
    s += d * d;
    if (grad) grad[i]! += (weight * 2 * d) / k;
  }
  return s / k;
}

/** Vertex adjacency of a triangle mesh in CSR form (each undirected edge once per endpoint). */
export interface Adjacency {
  readonly vertexCount: number;
  readonly start: Uint32Array; // [V+1]
  readonly neighbors: Uint32Array;
}

export function buildAdjacency(triangles: Uint32Array, vertexCount: number): Adjacency {
  const sets: Set<number>[] = Array.from({ length: vertexCount }, () => new Set<number>());
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]!, b = triangles[t + 1]!, c = triangles[t + 2]!;
    if (a >= vertexCount || b >= vertexCount || c >= vertexCount)
      throw new Error(`buildAdjacency: triangle ${t / 3} indexes vertex beyond ${vertexCount - 1}`);
    sets[a]!.add(b).add(c);
    sets[b]!.add(a).add(c);
    sets[c]!.add(a).add(b);
  }
  const start = new Uint32Array(vertexCount + 1);
  for (let v = 0; v < vertexCount; v++) start[v + 1] = start[v]! + sets[v]!.size;
  const neighbors = new Uint32Array(start[vertexCount]!);
  for (let v = 0; v < vertexCount; v++) {
    const sorted = Array.from(sets[v]!).sort((x, y) => x - y); // deterministic order
    neighbors.set(sorted, start[v]!);
  }
  return { vertexCount, start, neighbors };
}

/** Uniform Laplacian δ_v = x_v − mean of x over v's neighbours, `[V*3]` (isolated vertices → 0). */
export function uniformLaplacian(adj: Adjacency, x: Float32Array, out = new Float32Array(adj.vertexCount * 3)): Float32Array {
  const { start, neighbors } = adj;
  for (let v = 0; v < adj.vertexCount; v++) {
    const a = start[v]!, b = start[v + 1]!;
    if (a === b) {
      out[3 * v] = out[3 * v + 1] = out[3 * v + 2] = 0;
      continue;
    }
    let sx = 0, sy = 0, sz = 0;
    for (let k = a; k < b; k++) {
      const u = neighbors[k]!;
      sx += x[3 * u]!;
      sy += x[3 * u + 1]!;
      sz += x[3 * u + 2]!;
    }
    const inv = 1 / (b - a);
    out[3 * v] = x[3 * v]! - sx * inv;
    out[3 * v + 1] = x[3 * v + 1]! - sy * inv;
    out[3 * v + 2] = x[3 * v + 2]! - sz * inv;
  }
  return out;
}

/**
 * L_geo = (1/V)·Σ_v ‖δ(T†)_v − δ(T*)_v‖² with the uniform Laplacian δ: penalizes changes of
 * local shape (not position), so a displacement may move the face but not roughen it.
 * The gradient w.r.t. T† is (2/V)·δᵀ(δ(T†) − δ(T*)).
 */
export function laplacianLoss(
  adj: Adjacency,
  carved: Float32Array,
  coarse: Float32Array,
  grad?: Float32Array,
  weight = 1,
): number {
  const n = adj.vertexCount * 3;
  if (carved.length !== n || coarse.length !== n)
    throw new Error(`laplacianLoss: expected ${n} coordinates, got ${carved.length} and ${coarse.length}`);
  const diff = new Float32Array(n);
  for (let i = 0; i < n; i++) diff[i] = carved[i]! - coarse[i]!;
  const r = uniformLaplacian(adj, diff); // δ is linear: δ(T†) − δ(T*) = δ(T† − T*)
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i]! * r[i]!;
  const V = adj.vertexCount || 1;
  if (grad) {
    // δᵀ r: each vertex v gives r_v to itself and −r_v/deg(v) to each neighbour.
    const c = (2 * weight) / V;
    const { start, neighbors } = adj;
    for (let v = 0; v < adj.vertexCount; v++) {
      const a = start[v]!, b = start[v + 1]!;
      if (a === b) continue;
      const rx = r[3 * v]!, ry = r[3 * v + 1]!, rz = r[3 * v + 2]!;
      grad[3 * v]! += c * rx;
      grad[3 * v + 1]! += c * ry;
      grad[3 * v + 2]! += c * rz;
      const w = c / (b - a);
      for (let k = a; k < b; k++) {
        const u = neighbors[k]!;
        grad[3 * u]! -= w * rx;
        grad[3 * u + 1]! -= w * ry;
        grad[3 * u + 2]! -= w * rz;
      }
    }
  }
  return s / V;
}

/**
 * L_map = mean‖ΔN‖² + mean‖∇N‖² over an `[H*W*C]` map: ∇ by forward differences, Δ the
 * 5-point Laplacian with reflecting (Neumann) borders, so a constant map costs nothing.
 * Returns both terms so the trajectory can log them separately.
 */
export function normalMapLoss(
  map: Float32Array,
  width: number,
  height: number,
  channels: number,
  grad?: Float32Array,
  weight = 1,
): { total: number; laplacian: number; gradient: number } {
  if (map.length !== width * height * channels)
    throw new Error(`normalMapLoss: map has ${map.length} values, expected ${width}×${height}×${channels}`);
  const P = width * height || 1;
  let gsum = 0, lsum = 0;
  const c2 = (2 * weight) / P;
  const at = (x: number, y: number, c: number) => (y * width + x) * channels + c;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const p = at(x, y, c);
        const v = map[p]!;
        // Gradient term: right and down forward differences.
        if (x + 1 < width) {
          const q = at(x + 1, y, c);
          const d = map[q]! - v;
          gsum += d * d;
          if (grad) {
            grad[q]! += c2 * d;
            grad[p]! -= c2 * d;
          }
        }
        if (y + 1 < height) {
          const q = at(x, y + 1, c);
          const d = map[q]! - v;
          gsum += d * d;
          if (grad) {
            grad[q]! += c2 * d;
            grad[p]! -= c2 * d;
          }
        }
        // Laplacian term: sum over in-bounds neighbours of (n − v).
        let lap = 0;
        if (x > 0) lap += map[at(x - 1, y, c)]! - v;
        if (x + 1 < width) lap += map[at(x + 1, y, c)]! - v;
        if (y > 0) lap += map[at(x, y - 1, c)]! - v;
        if (y + 1 < height) lap += map[at(x, y + 1, c)]! - v;
        lsum += lap * lap;
        if (grad && lap !== 0) {
          const g = c2 * lap;
          let deg = 0;
          if (x > 0) { grad[at(x - 1, y, c)]! += g; deg++; }
          if (x + 1 < width) { grad[at(x + 1, y, c)]! += g; deg++; }
          if (y > 0) { grad[at(x, y - 1, c)]! += g; deg++; }
          if (y + 1 < height) { grad[at(x, y + 1, c)]! += g; deg++; }
          grad[p]! -= g * deg;
        }
      }
    }
  }
  return { total: (gsum + lsum) / P, laplacian: lsum / P, gradient: gsum / P };
}
