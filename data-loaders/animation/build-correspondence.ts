// Builds the MediaPipe-468 → ICT-FaceKit landmark correspondence once; its output
// (mediapipe-ict-correspondence.json beside this file) is committed as generated data.
//
//   npx tsx data-loaders/animation/build-correspondence.ts
//
// 1. MediaPipe's canonical face (read from the package's packed geometry metadata) and ICT's
//    neutral face share 68 points: reference §6.1 "Mapping A" (MediaPipe index, or the mean of two)
//    ↔ ICT's Multi-PIE landmarks68 vertices.
// 2. A similarity transform (Umeyama) on those pairs brings the canonical face into ICT space.
// 3. Each of the 468 transformed points is projected onto the nearest point of ICT's "face"
//    sub-geometry surface (vertices 0–9408; mouth and eye sockets excluded so lip and eyelid
//    points do not fall inside) and stored as a triangle + barycentric weights.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadFaceModel } from "../face/load.js";
import { writeJsonAtomic } from "../io/atomic.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { readCanonicalFace, faceMeshVersion } from "./mediapipe-assets.js";

export const CORRESPONDENCE_PATH = join(dirname(fileURLToPath(import.meta.url)), "mediapipe-ict-correspondence.json");

/** Reference §6.1 Mapping A (PeizhiYan/Mediapipe_2_Dlib_Landmarks), dlib 0-based order. */
export const MEDIAPIPE_TO_DLIB68: readonly (number | [number, number])[] = [
  127, 234, 93, [132, 58], [58, 172], 136, 150, 176, 152, 400, 379, 365, [397, 288], 361, 323, 454, 356,
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300, [168, 6], [197, 195], 5, 4, 75, 97, 2, 326, 305,
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  61, 39, 37, 0, 267, 269, 291, 321, 314, 17, 84, 91, 78, 82, 13, 312, 308, 317, 14, 87,
];

const FACE_VERTEX_END = 9408; // ICT "face" sub-geometry, inclusive

export interface Similarity { scale: number; rotation: number[]; translation: number[] }

/** Umeyama: the s, R, t minimizing Σ‖s R a_i + t − b_i‖² (R a proper rotation). */
export function similarityFit(a: Float64Array, b: Float64Array): Similarity {
  const n = a.length / 3;
  const ca = [0, 0, 0], cb = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) { ca[k]! += a[i * 3 + k]! / n; cb[k]! += b[i * 3 + k]! / n; }
  const S = new Float64Array(9);
  let varA = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 3; r++) {
      const br = b[i * 3 + r]! - cb[r]!;
      for (let c = 0; c < 3; c++) S[r * 3 + c] += (br * (a[i * 3 + c]! - ca[c]!)) / n;
      varA += (a[i * 3 + r]! - ca[r]!) ** 2 / n;
    }
  }
  const { U, sigma, V } = svd3(S);
  const det = det3(U) * det3(V);
  const D = [1, 1, det < 0 ? -1 : 1];
  const R = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) R[r * 3 + c]! += U[r * 3 + k]! * D[k]! * V[c * 3 + k]!;
  const scale = (sigma[0]! * D[0]! + sigma[1]! * D[1]! + sigma[2]! * D[2]!) / varA;
  const translation = [0, 1, 2].map((r) => cb[r]! - scale * (R[r * 3]! * ca[0]! + R[r * 3 + 1]! * ca[1]! + R[r * 3 + 2]! * ca[2]!));
  return { scale, rotation: R, translation };
}

export function applySimilarity(t: Similarity, p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length / 3; i++) {
    for (let r = 0; r < 3; r++) {
      out[i * 3 + r] = t.scale * (t.rotation[r * 3]! * p[i * 3]! + t.rotation[r * 3 + 1]! * p[i * 3 + 1]! + t.rotation[r * 3 + 2]! * p[i * 3 + 2]!) + t.translation[r]!;
    }
  }
  return out;
}

/** Nearest point on triangle abc to p, as barycentrics (Ericson, Real-Time Collision Detection 5.1.5). */
export function closestOnTriangle(p: number[], a: number[], b: number[], c: number[]): [number, number, number] {
  const sub = (x: number[], y: number[]) => [x[0]! - y[0]!, x[1]! - y[1]!, x[2]! - y[2]!];
  const dot = (x: number[], y: number[]) => x[0]! * y[0]! + x[1]! * y[1]! + x[2]! * y[2]!;
  const ab = sub(b, a), ac = sub(c, a), ap = sub(p, a);
  const d1 = dot(ab, ap), d2 = dot(ac, ap);
  if (d1 <= 0 && d2 <= 0) return [1, 0, 0];
  const bp = sub(p, b), d3 = dot(ab, bp), d4 = dot(ac, bp);
  if (d3 >= 0 && d4 <= d3) return [0, 1, 0];
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) { const v = d1 / (d1 - d3); return [1 - v, v, 0]; }
  const cp = sub(p, c), d5 = dot(ab, cp), d6 = dot(ac, cp);
  if (d6 >= 0 && d5 <= d6) return [0, 0, 1];
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) { const w = d2 / (d2 - d6); return [1 - w, 0, w]; }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) { const w = (d4 - d3) / (d4 - d3 + (d5 - d6)); return [0, 1 - w, w]; }
  const denom = 1 / (va + vb + vc);
  const v = vb * denom, w = vc * denom;
  return [1 - v - w, v, w];
}

export function buildCorrespondence(model: FaceModel) {
  const canonical = readCanonicalFace();
  const pairsA = new Float64Array(68 * 3), pairsB = new Float64Array(68 * 3);
  MEDIAPIPE_TO_DLIB68.forEach((mp, k) => {
    const ids = typeof mp === "number" ? [mp] : mp;
    for (const id of ids) for (let a = 0; a < 3; a++) pairsA[k * 3 + a] += canonical.positions[id * 3 + a]! / ids.length;
    const v = model.landmarks68[k]!;
    for (let a = 0; a < 3; a++) pairsB[k * 3 + a] = model.neutral[v * 3 + a]!;
  });
  const sim = similarityFit(pairsA, pairsB);
  const landmarkResidual = rms(applySimilarity(sim, pairsA), pairsB);
  const moved = applySimilarity(sim, canonical.positions);

  const tris = model.regions.full.triangles;
  const faceTris: number[] = [];
  for (let t = 0; t < tris.length / 3; t++) {
    if (tris[t * 3]! <= FACE_VERTEX_END && tris[t * 3 + 1]! <= FACE_VERTEX_END && tris[t * 3 + 2]! <= FACE_VERTEX_END) faceTris.push(t);
  }
  const P = (v: number) => [model.neutral[v * 3]!, model.neutral[v * 3 + 1]!, model.neutral[v * 3 + 2]!];
  const vertices: number[] = [], weights: number[] = [], distances: number[] = [];
  for (let i = 0; i < 468; i++) {
    const p = [moved[i * 3]!, moved[i * 3 + 1]!, moved[i * 3 + 2]!];
    let best = Infinity, bestTri = -1, bestBary: [number, number, number] = [1, 0, 0];
    for (const t of faceTris) {
      const ia = tris[t * 3]!, ib = tris[t * 3 + 1]!, ic = tris[t * 3 + 2]!;
      const a = P(ia), b = P(ib), c = P(ic);
      // Cheap reject: the point is farther from vertex a than the best distance plus an edge.
      const da = Math.hypot(p[0]! - a[0]!, p[1]! - a[1]!, p[2]! - a[2]!);
      if (da - 3 > best) continue;
      const bary = closestOnTriangle(p, a, b, c);
      const q = [0, 1, 2].map((k) => bary[0] * a[k]! + bary[1] * b[k]! + bary[2] * c[k]!);
      const dist = Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);
      if (dist < best) { best = dist; bestTri = t; bestBary = bary; }
    }
    vertices.push(tris[bestTri * 3]!, tris[bestTri * 3 + 1]!, tris[bestTri * 3 + 2]!);
    weights.push(...bestBary.map((b) => Math.round(b * 1e6) / 1e6));
    distances.push(best);
  }
  distances.sort((x, y) => x - y);
  return {
    count: 468,
    vertices,
    weights,
    source: {
      mediapipe: `@mediapipe/face_mesh ${faceMeshVersion()} canonical mesh (geometry_pipeline_metadata_landmarks.binarypb)`,
      ict: "ICT-FaceKit generic_neutral_mesh, 'face' sub-geometry (vertices 0–9408)",
      pairs: "reference/model-interfaces.md §6.1 Mapping A ↔ ICT landmarks68",
    },
    similarity: { scale: sim.scale, rotation: sim.rotation, translation: sim.translation },
    stats: {
      landmark68RmsCm: round(landmarkResidual),
      projectionCm: { median: round(distances[234]!), p95: round(distances[444]!), max: round(distances[467]!) },
    },
  };
}

function rms(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / (a.length / 3));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

// --- 3×3 SVD by Jacobi on SᵀS (enough for a one-off registration) ---
function svd3(S: Float64Array): { U: number[]; sigma: number[]; V: number[] } {
  const A = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) A[r * 3 + c]! += S[k * 3 + r]! * S[k * 3 + c]!;
  const V = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = A[p * 3 + q]!;
      if (Math.abs(apq) < 1e-15) continue;
      const theta = (A[q * 3 + q]! - A[p * 3 + p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < 3; k++) { // A ← Jᵀ A J
        const akp = A[k * 3 + p]!, akq = A[k * 3 + q]!;
        A[k * 3 + p] = c * akp - s * akq; A[k * 3 + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = A[p * 3 + k]!, aqk = A[q * 3 + k]!;
        A[p * 3 + k] = c * apk - s * aqk; A[q * 3 + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = V[k * 3 + p]!, vkq = V[k * 3 + q]!;
        V[k * 3 + p] = c * vkp - s * vkq; V[k * 3 + q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => A[j * 4]! - A[i * 4]!);
  const Vs = new Array<number>(9), sigma = order.map((i) => Math.sqrt(Math.max(A[i * 4]!, 0)));
  order.forEach((src, dst) => { for (let k = 0; k < 3; k++) Vs[k * 3 + dst] = V[k * 3 + src]!; });
  const U = new Array<number>(9).fill(0);
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) U[r * 3 + c]! += S[r * 3 + k]! * Vs[k * 3 + c]!;
    const norm = Math.hypot(U[c]!, U[3 + c]!, U[6 + c]!) || 1;
    for (let r = 0; r < 3; r++) U[r * 3 + c]! /= norm;
  }
  return { U, sigma, V: Vs };
}

function det3(M: number[]): number {
  return M[0]! * (M[4]! * M[8]! - M[5]! * M[7]!) - M[1]! * (M[3]! * M[8]! - M[5]! * M[6]!) + M[2]! * (M[3]! * M[7]! - M[4]! * M[6]!);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const model = await loadFaceModel();
  const result = buildCorrespondence(model);
  writeJsonAtomic(CORRESPONDENCE_PATH, result);
  console.log(`wrote ${CORRESPONDENCE_PATH}: 68-point rms ${result.stats.landmark68RmsCm} cm, projection median ${result.stats.projectionCm.median} cm, max ${result.stats.projectionCm.max} cm`);
}
