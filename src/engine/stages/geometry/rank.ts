/**
 * Coarse-geometry ranking, paper Eq. 3 (after AvatarCLIP): for candidate i with mean CLIP
 * image embedding e_i (Eq. 2) and prompt embedding e_t,
 *
 *   s = λ_d·s_d + λ_r·s_r,   s_d = ẽ_i·ẽ_t,   s_r = (Δe_i)~·(Δe_t)~
 *   Δe_i = e_i − ē_i (ē_i: the mean mesh T̄'s embedding),   Δe_t = e_t − ē_t (ē_t: "the face")
 *
 * where x̃ = x/‖x‖. The paper's order: subtract the anchor embedding first, then normalise the
 * difference. Interpretation (the paper gives no more detail): e_i, ē_i, e_t and ē_t are the
 * embeddings as CLIP outputs them (Eq. 2's mean of the per-view image embeddings, no per-view
 * or per-candidate normalisation before the subtraction); the tilde of "Δẽ" normalises Δe, so
 * s_r is the cosine between the two offsets. An earlier version normalised e_i and ē_i before
 * subtracting (AvatarCLIP's code does that); with CLIP's varying embedding lengths the two
 * orders rank differently, and rank.test.ts pins the paper's.
 *
 * The pool is a flat `Float32Array [N*D]` (D = 768 for ViT-L/14). Everything that depends only
 * on the pool (1/‖e_i‖ and 1/‖e_i − ē_i‖) is computed once in `poolStats`; a query is then two
 * fused dot products per row (e_i·ẽ_t and e_i·(Δe_t)~), and re-weighting λ_d/λ_r needs no dot
 * product at all:  s_r = (e_i·(Δe_t)~ − ē_i·(Δe_t)~) / ‖e_i − ē_i‖.
 */

export interface RankAnchors {
  /** CLIP image embedding of the mean mesh T̄ (averaged like a candidate), `[D]`. */
  readonly meshImage: Float32Array;
  /** CLIP text embedding of "the face", `[D]`. */
  readonly text: Float32Array;
}

/** Per-candidate quantities that depend only on the pool and the mesh anchor. */
export interface PoolStats {
  readonly invNorm: Float32Array; // [N] 1/‖e_i‖
  readonly invDeltaNorm: Float32Array; // [N] 1/‖e_i − ē_i‖ (0 when the candidate equals the anchor)
  readonly anchor: Float32Array; // [D] ē_i, the mesh anchor's embedding as given (not normalised)
}

/** What a prompt contributes: ẽ_t and the unit text offset from the "the face" anchor. */
export interface RankQuery {
  readonly textUnit: Float32Array; // [D]
  readonly textDelta: Float32Array; // [D] (e_t − ē_t)~: subtract, then normalise
}

export interface ScoreParts {
  readonly sd: Float32Array; // [N]
  readonly sr: Float32Array; // [N]
}

export interface TopK {
  /** Candidate indices, best first. */
  readonly index: Uint32Array;
  readonly score: Float32Array;
}

export function unit(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (s === 0) return out;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

function checkDim(name: string, v: ArrayLike<number>, dim: number): void {
  if (v.length !== dim) throw new Error(`rank: ${name} has ${v.length} values, expected the pool's dimension ${dim}`);
}

function rowCount(embeddings: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`rank: dimension must be a positive integer, got ${dim}`);
  if (embeddings.length % dim !== 0)
    throw new Error(`rank: pool of ${embeddings.length} values is not a whole number of ${dim}-d rows`);
  return embeddings.length / dim;
}

export function prepareQuery(text: ArrayLike<number>, anchors: RankAnchors): RankQuery {
  checkDim("text anchor", anchors.text, text.length);
  const textUnit = unit(text);
  // Eq. 3: Δe_t = e_t − ē_t on the raw embeddings, then normalised.
  const delta = new Float32Array(text.length);
  for (let i = 0; i < delta.length; i++) delta[i] = text[i]! - anchors.text[i]!;
  return { textUnit, textDelta: unit(delta) };
}

/** Pool-only statistics for rows [start, end) (all rows by default), written into `out`. */
export function poolStats(
  embeddings: Float32Array,
  dim: number,
  meshAnchor: ArrayLike<number>,
  out?: { invNorm: Float32Array; invDeltaNorm: Float32Array },
  start = 0,
  end = rowCount(embeddings, dim),
): PoolStats {
  const n = rowCount(embeddings, dim);
  checkDim("mesh anchor", meshAnchor, dim);
  const anchor = Float32Array.from(meshAnchor);
  const invNorm = out?.invNorm ?? new Float32Array(n);
  const invDeltaNorm = out?.invDeltaNorm ?? new Float32Array(n);
  for (let r = start; r < end; r++) {
    const o = r * dim;
    let ee = 0, dd = 0;
    for (let j = 0; j < dim; j++) {
      const e = embeddings[o + j]!;
      const d = e - anchor[j]!;
      ee += e * e;
      dd += d * d; // ‖e_i − ē_i‖², summed directly (no cancellation when e_i ≈ ē_i)
    }
    invNorm[r] = ee > 0 ? 1 / Math.sqrt(ee) : 0;
    invDeltaNorm[r] = dd > 1e-12 * Math.max(ee, 1e-30) ? 1 / Math.sqrt(dd) : 0;
  }
  return { invNorm, invDeltaNorm, anchor };
}

/**
 * s_d and s_r for rows [start, end) into `out` (the hot loop: one pass over each row, two
 * accumulators, unrolled by 4 so V8 keeps the partial sums in registers).
 */
export function scoreParts(
  embeddings: Float32Array,
  dim: number,
  stats: PoolStats,
  query: RankQuery,
  out?: ScoreParts,
  start = 0,
  end = rowCount(embeddings, dim),
): ScoreParts {
  const n = rowCount(embeddings, dim);
  checkDim("query", query.textUnit, dim);
  const sd = out?.sd ?? new Float32Array(n);
  const sr = out?.sr ?? new Float32Array(n);
  const qt = query.textUnit, qd = query.textDelta;
  let anchorDotDelta = 0;
  for (let j = 0; j < dim; j++) anchorDotDelta += stats.anchor[j]! * qd[j]!;
  const { invNorm, invDeltaNorm } = stats;
  const dim4 = dim - (dim % 4);
  for (let r = start; r < end; r++) {
    const o = r * dim;
    let a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    let j = 0;
    for (; j < dim4; j += 4) {
      const e0 = embeddings[o + j]!, e1 = embeddings[o + j + 1]!, e2 = embeddings[o + j + 2]!, e3 = embeddings[o + j + 3]!;
      a0 += e0 * qt[j]! + e1 * qt[j + 1]!;
      a1 += e2 * qt[j + 2]! + e3 * qt[j + 3]!;
      b0 += e0 * qd[j]! + e1 * qd[j + 1]!;
      b1 += e2 * qd[j + 2]! + e3 * qd[j + 3]!;
    }
    for (; j < dim; j++) {
      a0 += embeddings[o + j]! * qt[j]!;
      b0 += embeddings[o + j]! * qd[j]!;
    }
    const inv = invNorm[r]!;
    sd[r] = (a0 + a1) * inv;
    // s_r = (e_i − ē_i)·(Δe_t)~ / ‖e_i − ē_i‖ (raw e_i: the difference is taken before normalising).
    sr[r] = (b0 + b1 - anchorDotDelta) * invDeltaNorm[r]!;
  }
  return { sd, sr };
}

/** s = λ_d·s_d + λ_r·s_r. */
export function combineScores(parts: ScoreParts, lambdaD: number, lambdaR: number, out?: Float32Array): Float32Array {
  const { sd, sr } = parts;
  const s = out ?? new Float32Array(sd.length);
  for (let i = 0; i < sd.length; i++) s[i] = lambdaD * sd[i]! + lambdaR * sr[i]!;
  return s;
}

/**
 * The k best scores, best first; ties go to the lower index so the result is deterministic.
 * A size-k min-heap: O(N log k), and a row that can't beat the heap's minimum costs one compare.
 */
export function topK(scores: Float32Array, k: number): TopK {
  const n = scores.length;
  const m = Math.max(0, Math.min(Math.floor(k), n));
  const heap = new Uint32Array(m); // indices; heap[0] is the worst kept
  // "a is worse than b": lower score, or equal score and higher index.
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a]! === scores[b]! && a > b);
  const down = (size: number, i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < size && worse(heap[l]!, heap[w]!)) w = l;
      if (r < size && worse(heap[r]!, heap[w]!)) w = r;
      if (w === i) return;
      const t = heap[i]!;
      heap[i] = heap[w]!;
      heap[w] = t;
      i = w;
    }
  };
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) continue;
    if (size < m) {
      let c = size++;
      heap[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c]!, heap[p]!)) break;
        const t = heap[c]!;
        heap[c] = heap[p]!;
        heap[p] = t;
        c = p;
      }
    } else if (m > 0 && worse(heap[0]!, i)) {
      heap[0] = i;
      down(size, 0);
    }
  }
  // Pop worst-first into the tail to get best-first order.
  const index = new Uint32Array(size);
  for (let end = size - 1; end >= 0; end--) {
    index[end] = heap[0]!;
    heap[0] = heap[end]!;
    down(end, 0);
  }
  const score = new Float32Array(size);
  for (let i = 0; i < size; i++) score[i] = scores[index[i]!]!;
  return { index, score };
}

export interface RankOptions {
  lambdaD: number;
  lambdaR: number;
  k: number;
  /** Reuse pool statistics computed earlier (they don't depend on the prompt). */
  stats?: PoolStats;
}

export interface RankResult extends TopK, ScoreParts {
  readonly scores: Float32Array;
}

/** Eq. 3 over the whole pool, then the top k. */
export function rankPool(
  embeddings: Float32Array,
  dim: number,
  text: ArrayLike<number>,
  anchors: RankAnchors,
  { lambdaD, lambdaR, k, stats }: RankOptions,
): RankResult {
  checkDim("prompt embedding", text, dim);
  const st = stats ?? poolStats(embeddings, dim, anchors.meshImage);
  const parts = scoreParts(embeddings, dim, st, prepareQuery(text, anchors));
  const scores = combineScores(parts, lambdaD, lambdaR);
  return { ...topK(scores, k), ...parts, scores };
}
