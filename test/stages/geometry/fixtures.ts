// Small stand-ins for tests of the geometry stage's engine code: a grid "face" that is a
// complete FaceModel (so seamSplit, synthesis and the renderer work on it unchanged) and a
// linear SDS guide whose VJP is exact. They make the carving loop's determinism and resume
// tests run in milliseconds; the real ICT model and tiny ONNX models are exercised in
// data-loaders/geometry tests.
import type { FaceModel } from "../../../src/engine/face/types.js";
import type { SdsGuide } from "../../../src/engine/stages/geometry/guide.js";
import { Rng } from "../../../src/engine/util/rng.js";

/** An n×n vertex grid spanning ±12 cm around the renderer's face target, bulged towards the camera. */
export function gridFaceModel(n = 12, identityCount = 4): FaceModel {
  const V = n * n;
  const neutral = new Float32Array(V * 3);
  const uvs = new Float32Array(V * 2);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const v = y * n + x, u = x / (n - 1), w = y / (n - 1);
      const px = (u - 0.5) * 24, py = (w - 0.5) * 24 - 1.5;
      neutral.set([px, py, 1 + 6 * Math.exp(-(px * px + (py + 1.5) ** 2) / 80)], 3 * v);
      uvs.set([u, w], 2 * v);
    }
  const polygonStart: number[] = [0], polygonVertices: number[] = [];
  for (let y = 0; y + 1 < n; y++)
    for (let x = 0; x + 1 < n; x++) {
      const a = y * n + x;
      polygonVertices.push(a, a + 1, a + n + 1, a + n);
      polygonStart.push(polygonVertices.length);
    }
  const P = polygonStart.length - 1;
  const rng = new Rng(99);
  const identityModes = Array.from({ length: identityCount }, () => rng.normals(V * 3).map((x) => x * 0.3));
  const triangles: number[] = [];
  for (let p = 0; p < P; p++) {
    const [a, b, c, d] = polygonVertices.slice(4 * p, 4 * p + 4) as [number, number, number, number];
    triangles.push(a, b, c, a, c, d);
  }
  const region = { vertexCount: V, polygonCount: P, triangles: Uint32Array.from(triangles) };
  return {
    vertexCount: V,
    neutral,
    identityModes,
    expressionNames: ["jawOpen"],
    expressionModes: [rng.normals(V * 3).map((x) => x * 0.1)],
    polygonStart: Uint32Array.from(polygonStart),
    polygonVertices: Uint32Array.from(polygonVertices),
    polygonUvs: Uint32Array.from(polygonVertices),
    uvs,
    subGeometries: [{ name: "grid", vertexStart: 0, vertexEnd: V - 1 }],
    landmarks68: new Uint32Array(68),
    regions: { dreamface: { name: "dreamface", ...region }, full: { name: "full", ...region } },
  };
}

/**
 * A linear "VAE" (8×8 average pooling into 4 channels) and an ε-predictor that pulls the
 * latents towards a fixed target pattern: deterministic, differentiable, exact VJP.
 */
export function linearGuide(): SdsGuide {
  const pool = (h: number, w: number) => ({ lh: Math.floor(h / 8), lw: Math.floor(w / 8) });
  return {
    async encode(image, h, w) {
      const { lh, lw } = pool(h, w);
      const P = h * w, out = new Float32Array(4 * lh * lw);
      for (let c = 0; c < 4; c++)
        for (let y = 0; y < lh * 8; y++)
          for (let x = 0; x < lw * 8; x++) out[c * lh * lw + Math.floor(y / 8) * lw + Math.floor(x / 8)]! += (image[(c % 3) * P + y * w + x]! * 0.18215) / 64;
      return { latents: out, dims: [1, 4, lh, lw] };
    },
    async encodeVjp(_image, h, w, g) {
      const { lh, lw } = pool(h, w);
      const P = h * w, out = new Float32Array(3 * P);
      for (let c = 0; c < 4; c++)
        for (let y = 0; y < lh * 8; y++)
          for (let x = 0; x < lw * 8; x++) out[(c % 3) * P + y * w + x]! += (g[c * lh * lw + Math.floor(y / 8) * lw + Math.floor(x / 8)]! * 0.18215) / 64;
      return out;
    },
    async eps(noisy, _dims, t, guidance) {
      const out = new Float32Array(noisy.length);
      for (let i = 0; i < noisy.length; i++) out[i] = 0.5 * noisy[i]! + (guidance / 100) * Math.sin(i + t / 100);
      return out;
    },
  };
}
