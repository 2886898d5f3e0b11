import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../../data-loaders/face/load.js";
import { seamSplit } from "../../face/seam.js";
import { sampleTexture } from "../../raster/texture.js";
import { skinRegions, skinSpecularPrior, SPECULAR_LEVELS, type SkinRegion } from "./specular-prior.js";

const model = await loadFaceModel();
const split = seamSplit(model, "dreamface");
const regions = skinRegions(model);
const SIZE = 256;
const prior = skinSpecularPrior(model, split, SIZE);

/** The dreamface vertex nearest a point (cm, ICT's neutral). */
function nearest(x: number, y: number, z: number): number {
  let best = 0, d = Infinity;
  for (let v = 0; v < model.regions.dreamface.vertexCount; v++) {
    const e = Math.hypot(model.neutral[v * 3]! - x, model.neutral[v * 3 + 1]! - y, model.neutral[v * 3 + 2]! - z);
    if (e < d) (d = e), (best = v);
  }
  return best;
}
const landmark = (i: number) => Array.from(model.neutral.subarray(model.landmarks68[i]! * 3, model.landmarks68[i]! * 3 + 3)) as [number, number, number];
const mid = (a: number[], b: number[]) => a.map((v, k) => (v + b[k]!) / 2) as [number, number, number];

/** The prior's value at a vertex's UV (its tile-0 seam copy). */
function priorAt(v: number): number {
  const s = Array.from(split.source).findIndex((src, i) => src === v && split.tileUv[i * 2]! >= 0 && split.tileUv[i * 2]! <= 1);
  assert.ok(s >= 0, `vertex ${v} has no UV in tile 0`);
  return sampleTexture(split.tileUv.slice(s * 2, s * 2 + 2), null, prior.data, SIZE, SIZE, 3)[0]!;
}

test("skin specular prior: deterministic, grey, within [0, 1]", () => {
  assert.equal(prior.data.length, SIZE * SIZE * 3);
  assert.deepEqual(skinSpecularPrior(model, split, SIZE).data, prior.data);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const v = prior.data[p * 3]!;
    assert.ok(v >= 0 && v <= 1);
    assert.ok(v === prior.data[p * 3 + 1] && v === prior.data[p * 3 + 2]);
  }
});

test("skin specular prior differs by region: nose and forehead shiny, cheeks dull, eye openings zero", () => {
  const brow = mid(landmark(21), landmark(22));
  // The eye opening is a hole in the face mesh (the eyeball is another mesh): probe its rim near the inner corner.
  const eyeCentre = [36, 37, 38, 39, 40, 41].map(landmark).reduce<number[]>((a, b) => a.map((v, k) => v + b[k]! / 6), [0, 0, 0]);
  const nearInnerCorner = landmark(39).map((v, k) => v + 0.2 * (eyeCentre[k]! - v)) as [number, number, number];
  const probes: [SkinRegion, number][] = [
    ["nose", model.landmarks68[30]!],
    ["forehead", nearest(brow[0], brow[1] + 3, brow[2])],
    ["lips", nearest(...mid(landmark(50), landmark(61)))],
    ["cheeks", nearest(landmark(2)[0] + 2.5, landmark(30)[1] - 0.5, landmark(31)[2] - 1.5)],
    ["eyes", nearest(...nearInnerCorner)],
  ];
  for (const [region, v] of probes) {
    assert.equal(regions[v], region, `vertex ${v} at ${Array.from(model.neutral.subarray(v * 3, v * 3 + 3)).map((x) => x.toFixed(1))}`);
    // The map carries the level at the vertex's UV (interpolation only blurs across region borders).
    assert.ok(Math.abs(priorAt(v) - SPECULAR_LEVELS[region]) < 0.08, `${region}: ${priorAt(v)} vs ${SPECULAR_LEVELS[region]}`);
  }
  assert.ok(SPECULAR_LEVELS.nose > SPECULAR_LEVELS.cheeks && SPECULAR_LEVELS.forehead > SPECULAR_LEVELS.cheeks && SPECULAR_LEVELS.eyes === 0);
  // Every region is present on the face mesh.
  const counts = new Map<SkinRegion, number>();
  for (let v = 0; v < model.regions.dreamface.vertexCount; v++) counts.set(regions[v]!, (counts.get(regions[v]!) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), Object.keys(SPECULAR_LEVELS).sort());
});
