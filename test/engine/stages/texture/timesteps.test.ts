import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTextureConfig } from "../../../../src/engine/stages/texture/config.js";
import { stageTimestep } from "../../../../src/engine/stages/texture/timesteps.js";

test("stageTimestep decreasing: each stage walks t_max → t_min in equal steps, restarting for the image stage", () => {
  const c = parseTextureConfig({ latent: { steps: 5 }, image: { steps: 3 }, tMax: 0.98, tMin: 0.02 });
  const latent = [0, 1, 2, 3, 4].map((i) => stageTimestep(c, i, i, 5, 1));
  const image = [0, 1, 2].map((i) => stageTimestep(c, 5 + i, i, 3, 1));
  assert.deepEqual(latent, [980, 740, 500, 260, 20]);
  assert.deepEqual(image, [980, 500, 20]);
  // Same seed or another: decreasing t never depends on randomness.
  assert.equal(stageTimestep(c, 2, 2, 5, 99), 500);
});

test("stageTimestep uniform: in [t_min, t_max]·T, reproducible per (seed, step), varying over steps", () => {
  const c = parseTextureConfig({ timesteps: "uniform", tMin: 0.2, tMax: 0.6 });
  const ts = Array.from({ length: 200 }, (_, i) => stageTimestep(c, i, i, 200, 3));
  assert.ok(ts.every((t) => t >= 200 && t <= 600), "t out of range");
  assert.ok(new Set(ts).size > 50, "uniform t barely varies");
  assert.deepEqual(ts.slice(0, 10), Array.from({ length: 10 }, (_, i) => stageTimestep(c, i, i, 200, 3)));
  assert.ok(ts.some((t, i) => i > 0 && t < ts[i - 1]!) && ts.some((t, i) => i > 0 && t > ts[i - 1]!), "uniform t should not be monotone");
});
