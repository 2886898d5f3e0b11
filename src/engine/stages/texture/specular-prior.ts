/**
 * The skin specular prior that stands in for `specular_decoder` (no public weights): a fixed,
 * deterministic region map over ICT's UV layout. Facial skin is shinier where it is oily and
 * taut (nose, forehead, lips) and duller on the cheeks; eyes and the mouth interior get no
 * skin specular at all (they are not skin, and their shading is not this map's job).
 *
 * Regions are decided per vertex of the ICT *neutral* face from its Multi-PIE 68 landmarks
 * (ICT is in cm, y up, the face looking down +z), so the map depends only on the topology and
 * its UVs, never on the prompt: every run with the same model gets the same map. Per-vertex
 * levels are rasterized into UV tile 0 (the face, the texture's domain) with the geometry-map
 * rasterizer, so edges are soft across one ring of triangles; texels no face triangle covers
 * get the general skin level.
 */
import type { FaceModel, SeamSplitMesh } from "../../face/types.js";
import { geometryMapLayout, toGeometryMap } from "../animation/geometryMap.js";

/** Specular level per region, in the map's [0, 1] (the decoders' output range after (x+1)/2). */
export const SPECULAR_LEVELS = {
  eyes: 0,
  mouthInterior: 0,
  lips: 0.4,
  nose: 0.5,
  forehead: 0.45,
  cheeks: 0.2,
  skin: 0.3,
} as const;

export type SkinRegion = keyof typeof SPECULAR_LEVELS;

type P2 = readonly [number, number];

/** Even-odd point-in-polygon test in the xy (frontal) plane. */
function inside(p: P2, poly: readonly P2[]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** The region of every model vertex (`[vertexCount]` names), from the neutral mesh and its landmarks. */
export function skinRegions(model: FaceModel): SkinRegion[] {
  const n = model.neutral;
  const L = (i: number) => {
    const v = model.landmarks68[i]!;
    return [n[v * 3]!, n[v * 3 + 1]!, n[v * 3 + 2]!] as const;
  };
  const xy = (ids: readonly number[]): P2[] => ids.map((i) => [L(i)[0], L(i)[1]]);
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
  const eyes = [xy(range(36, 41)), xy(range(42, 47))];
  const outerLips = xy(range(48, 59));
  const innerLips = xy(range(60, 67));
  // The front of the head: ahead of the ears / jaw hinge (landmarks 0 and 16).
  const front = Math.max(L(0)[2], L(16)[2]);
  const lipZ = Math.min(L(48)[2], L(54)[2]) - 1; // behind this, inside the lip outline, is the mouth cavity
  const browTop = Math.max(...range(17, 26).map((i) => L(i)[1]));
  const browHalfWidth = Math.abs(L(17)[0] - L(26)[0]) / 2;
  const noseTop = L(27)[1];
  const noseBottom = L(33)[1] - 0.3;
  const alarHalfWidth = Math.abs(L(35)[0] - L(31)[0]) / 2 + 0.6;
  const noseZ = Math.min(L(39)[2], L(42)[2]) - 0.5;
  const underEyes = Math.min(...[40, 41, 46, 47].map((i) => L(i)[1])) - 0.8;
  const mouthCorners = Math.min(L(48)[1], L(54)[1]);
  const jawHalfWidth = Math.abs(L(0)[0] - L(16)[0]) / 2 - 1.5;

  const out: SkinRegion[] = new Array(model.vertexCount);
  for (let v = 0; v < model.vertexCount; v++) {
    const x = n[v * 3]!, y = n[v * 3 + 1]!, z = n[v * 3 + 2]!;
    const p: P2 = [x, y];
    const ax = Math.abs(x);
    let r: SkinRegion = "skin";
    if (z > front) {
      if (eyes.some((e) => inside(p, e))) r = "eyes";
      else if (inside(p, outerLips)) r = z < lipZ || inside(p, innerLips) ? "mouthInterior" : "lips";
      else if (y <= noseTop && y >= noseBottom && z > noseZ && ax <= 0.8 + (alarHalfWidth - 0.8) * ((noseTop - y) / (noseTop - noseBottom))) r = "nose";
      else if (y > browTop + 0.3 && y < browTop + 6 && ax < browHalfWidth) r = "forehead";
      else if (y < underEyes && y > mouthCorners && ax > alarHalfWidth && ax < jawHalfWidth) r = "cheeks";
    }
    out[v] = r;
  }
  return out;
}

/**
 * The prior as a `size`² RGB map (`[size*size*3]`, grey, in [0, 1]) in the renderer's texture
 * layout (row 0 = v = 1), over UV tile 0 of `split` (the texture's domain).
 */
export function skinSpecularPrior(model: FaceModel, split: SeamSplitMesh, size: number): { data: Float32Array; size: number } {
  const regions = skinRegions(model);
  const V = model.vertexCount;
  // Channel 0: the level; channel 1: coverage (1 on the face's charts), to tell empty texels apart.
  const attr = new Float32Array(V * 3);
  for (let v = 0; v < V; v++) {
    attr[v * 3] = SPECULAR_LEVELS[regions[v]!];
    attr[v * 3 + 1] = 1;
  }
  const layout = geometryMapLayout(split, V, size, 2);
  const map = toGeometryMap(layout, attr);
  const data = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const w = map[p * 3 + 1]!;
    const level = w > 1e-6 ? map[p * 3]! / w : SPECULAR_LEVELS.skin;
    const s = Math.min(1, Math.max(0, level));
    data[p * 3] = data[p * 3 + 1] = data[p * 3 + 2] = s;
  }
  return { data, size };
}
