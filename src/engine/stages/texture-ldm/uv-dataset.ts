/**
 * The in-project two-domain UV dataset (the paper's is private), on ICT-FaceKit's face UV tile.
 * Source of the albedo: the public-domain photo projected to UV through the tracker's fit
 * (`PhotoAlbedo`, data-loaders/texture-ldm/photo-albedo.ts) where it sees the face, varied per
 * sample by per-channel gains and brightness; elsewhere (and for every texel when no photo is
 * available) a PROCEDURAL albedo.
 *
 * Geometry (Node side, data-loaders/texture-ldm/uv-geometry.ts): the neutral ICT face's 3D
 * positions and normals rasterised into the face tile [0,1]² (uvMap), plus the 68 landmarks.
 * Each sample draws (Rng.derive(seed, index)):
 * - desired Ω_d: albedo: the photo's texels (it keeps the photo's soft lighting: not de-lit)
 *   times random gains, or a procedural skin tone between light and dark with redder lips
 *   (around the mouth landmarks), darker brows, reddish cheeks; both with smooth 3D-position
 *   variation; texels the face does not cover get the base tone (no black holes);
 * - undesired Ω_u: the SAME albedo multiplied by Lambert shading from a random light, plus a
 *   Blinn-Phong specular highlight, and with probability ½ each a hat (the texels above a
 *   random height on the forehead) and black areas (ellipses). The mask B is 0 on the hat and
 *   black areas, 1 elsewhere.
 * Captions are the same for both domains ("the face texture of a person with <tone> skin"),
 * so only the domain label (and the learned tokens) tells them apart.
 */
import { Rng } from "../../util/rng.js";
import type { Domain } from "./variants.js";

export interface UvGeometry {
  size: number;
  /** [size²·3] model-space positions (0 where uncovered). */
  positions: Float32Array;
  /** [size²·3] unit normals. */
  normals: Float32Array;
  /** [size²] 1 where the face covers the texel. */
  coverage: Uint8Array;
  /** 68 landmark positions [68·3]. */
  landmarks: Float32Array;
}

/** The photo baked into the face tile: [size²·3] colours, valid where a front-facing vertex saw it. */
export interface PhotoAlbedo {
  size: number;
  image: Float32Array;
  valid: Uint8Array;
}

export interface UvSample {
  image: Float32Array; // [size²·3] in [0,1]
  mask: Float32Array; // [size²]
  caption: string;
  domain: Domain;
}

const LIGHT = [0.92, 0.75, 0.64], DARK = [0.42, 0.28, 0.2];
const TONES = ["light", "medium", "tan", "dark"];

function centroid(lm: Float32Array, from: number, to: number): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = from; i <= to; i++) for (let k = 0; k < 3; k++) c[k] += lm[i * 3 + k]! / (to - from + 1);
  return c;
}

const d2 = (p: Float32Array, i: number, c: readonly number[]) => (p[i * 3]! - c[0]!) ** 2 + (p[i * 3 + 1]! - c[1]!) ** 2 + (p[i * 3 + 2]! - c[2]!) ** 2;

/** The albedo of sample `index` and its caption. */
export function albedo(geo: UvGeometry, seed: number, index: number, photo?: PhotoAlbedo): { image: Float32Array; caption: string } {
  const rng = Rng.derive(seed, "uv-albedo", index);
  const { size, positions: P, coverage, landmarks: lm } = geo;
  if (photo && photo.size !== size) throw new Error(`photo albedo is ${photo.size}², the dataset ${size}²`);
  let u = rng.uniform();
  let base = LIGHT.map((l, k) => l + (DARK[k]! - l) * u + rng.range(-0.03, 0.03));
  let gains = [1, 1, 1];
  if (photo) {
    // The photo's mean colour is the base; gains vary tone and brightness per sample.
    const mean = [0, 0, 0];
    let n = 0;
    for (let i = 0; i < size * size; i++) if (photo.valid[i]) (n++, [0, 1, 2].forEach((k) => (mean[k]! += photo.image[i * 3 + k]!)));
    const bright = Math.exp(0.25 * rng.normal());
    gains = [0, 1, 2].map(() => bright * Math.exp(0.06 * rng.normal()));
    base = mean.map((m, k) => (m / Math.max(1, n)) * gains[k]!);
    const lum = 0.2126 * base[0]! + 0.7152 * base[1]! + 0.0722 * base[2]!;
    u = Math.min(0.999, Math.max(0, (0.75 - lum) / 0.45));
  }
  const caption = `the face texture of a person with ${TONES[Math.min(3, Math.floor(u * 4))]} skin`;
  const eyes = [centroid(lm, 36, 41), centroid(lm, 42, 47)];
  const width = Math.hypot(eyes[0]![0] - eyes[1]![0], eyes[0]![1] - eyes[1]![1], eyes[0]![2] - eyes[1]![2]) * 2.2;
  const mouth = centroid(lm, 48, 67), brows = [centroid(lm, 17, 21), centroid(lm, 22, 26)];
  const cheeks = eyes.map((e) => [e[0] * 1.1, (e[1] + mouth[1]) / 2, e[2]] as const);
  const waves = Array.from({ length: 3 }, () => ({ k: [rng.normal(), rng.normal(), rng.normal()].map((x) => (x * 6) / width), phase: rng.range(0, 2 * Math.PI), amp: rng.range(0.01, 0.04) }));
  const lip = rng.range(0.5, 0.9), brow = rng.range(0.3, 0.6), blush = rng.range(0, 0.25);
  const s2 = (f: number) => 2 * (f * width) ** 2;
  const image = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    let c = base.slice();
    if (photo?.valid[i]) {
      const vary = waves.reduce((a, w) => a + w.amp * Math.sin(w.k[0]! * P[i * 3]! + w.k[1]! * P[i * 3 + 1]! + w.k[2]! * P[i * 3 + 2]! + w.phase), 0);
      c = [0, 1, 2].map((k) => photo.image[i * 3 + k]! * gains[k]! * (1 + vary));
    } else if (coverage[i]) {
      const vary = waves.reduce((a, w) => a + w.amp * Math.sin(w.k[0]! * P[i * 3]! + w.k[1]! * P[i * 3 + 1]! + w.k[2]! * P[i * 3 + 2]! + w.phase), 0);
      c = c.map((x) => x * (1 + vary));
      const lipW = lip * Math.exp(-d2(P, i, mouth) / s2(0.09));
      c = [c[0]! * (1 - 0.1 * lipW), c[1]! * (1 - 0.45 * lipW), c[2]! * (1 - 0.35 * lipW)];
      const browW = brow * Math.max(...brows.map((b) => Math.exp(-d2(P, i, b) / s2(0.06))));
      c = c.map((x) => x * (1 - 0.8 * browW));
      const cheekW = blush * Math.max(...cheeks.map((b) => Math.exp(-d2(P, i, b) / s2(0.1))));
      c = [c[0]!, c[1]! * (1 - 0.3 * cheekW), c[2]! * (1 - 0.3 * cheekW)];
    }
    for (let k = 0; k < 3; k++) image[i * 3 + k] = Math.min(1, Math.max(0, c[k]!));
  }
  return { image, caption };
}

/** Sample `index` of the two-domain set: even indices desired, odd undesired (same albedo stream). */
export function uvSample(geo: UvGeometry, seed: number, index: number, photo?: PhotoAlbedo): UvSample {
  const domain: Domain = index % 2 === 0 ? "desired" : "undesired";
  const { image, caption } = albedo(geo, seed, index >> 1, photo);
  const n = geo.size * geo.size;
  const mask = new Float32Array(n).fill(1);
  if (domain === "desired") return { image, mask, caption, domain };
  const rng = Rng.derive(seed, "uv-bake", index);
  const { size, normals: N, positions: P, coverage } = geo;
  const l = normalize([rng.range(-0.8, 0.8), rng.range(-0.2, 0.9), rng.range(0.4, 1)]);
  const h = normalize([l[0]!, l[1]!, l[2]! + 1]);
  const ambient = rng.range(0.15, 0.4), spec = rng.range(0.2, 0.6), shine = rng.range(10, 40);
  for (let i = 0; i < n; i++) {
    if (!coverage[i]) continue;
    const nl = Math.max(0, N[i * 3]! * l[0]! + N[i * 3 + 1]! * l[1]! + N[i * 3 + 2]! * l[2]!);
    const nh = Math.max(0, N[i * 3]! * h[0]! + N[i * 3 + 1]! * h[1]! + N[i * 3 + 2]! * h[2]!);
    const s = spec * Math.pow(nh, shine);
    for (let k = 0; k < 3; k++) image[i * 3 + k] = Math.min(1, image[i * 3 + k]! * (ambient + (1 - ambient) * nl) + s);
  }
  if (rng.uniform() < 0.5) {
    // A hat: everything above a height on the forehead, one colour with stripes.
    let top = -Infinity, bottom = Infinity;
    for (let i = 0; i < n; i++) if (coverage[i]) (top = Math.max(top, P[i * 3 + 1]!)), (bottom = Math.min(bottom, P[i * 3 + 1]!));
    const cut = top - rng.range(0.12, 0.3) * (top - bottom);
    const colour = [rng.uniform(), rng.uniform(), rng.uniform()];
    for (let i = 0; i < n; i++) {
      if (!coverage[i] || P[i * 3 + 1]! < cut) continue;
      const stripe = Math.floor((i % size) / 4) % 2 ? 0.8 : 1;
      for (let k = 0; k < 3; k++) image[i * 3 + k] = colour[k]! * stripe;
      mask[i] = 0;
    }
  }
  if (rng.uniform() < 0.5) {
    // Black areas (missing texture), anywhere in the tile.
    for (let e = rng.int(1, 3); e > 0; e--) {
      const cx = rng.range(0, size), cy = rng.range(0, size), rx = rng.range(0.05, 0.2) * size, ry = rng.range(0.05, 0.2) * size;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 > 1) continue;
          image.fill(0.02, (y * size + x) * 3, (y * size + x) * 3 + 3);
          mask[y * size + x] = 0;
        }
    }
  }
  return { image, mask, caption, domain };
}

function normalize(v: number[]): number[] {
  const s = Math.hypot(...v);
  return v.map((x) => x / s);
}
