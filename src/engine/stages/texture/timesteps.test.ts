// The texture stage's t sequence (paper Sec. 5.2.1: "we decrease t with equal intervals from
// t_max to 0"): exact sequences for 200 + 200 steps under both descents, the join between the
// stages, configurable bounds, and the uniform ablation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTextureConfig, variantPlan, type TextureConfigInput } from "./config.js";
import { textureTimestep } from "./timesteps.js";

function sequence(input: TextureConfigInput, seed = 1): number[] {
  const c = parseTextureConfig(input);
  const stages = variantPlan(c);
  return Array.from({ length: stages.latentSteps + stages.imageSteps }, (_, step) => textureTimestep(c, stages, step, seed));
}

const gaps = (ts: number[]) => ts.slice(1).map((t, i) => ts[i]! - t);

test("default (200 + 200): one descent 980 → 0 in equal intervals across both stages", () => {
  const c = parseTextureConfig({});
  assert.equal(c.descent, "across-stages");
  assert.equal(c.tMin, 0);
  const ts = sequence({});
  assert.equal(ts.length, 400);
  assert.equal(ts[0], 980);
  assert.equal(ts[399], 0);
  // Every t is round(980 − 980·k/399): equal intervals of 980/399 ≈ 2.456, rounded.
  assert.deepEqual(ts, Array.from({ length: 400 }, (_, k) => Math.round(980 - (980 * k) / 399)));
  assert.ok(gaps(ts).every((g) => g === 2 || g === 3), "steps of 980/399, rounded");
  // The join: the image stage continues the descent, it does not restart.
  assert.deepEqual([ts[198], ts[199], ts[200], ts[201]], [494, 491, 489, 486]);
  assert.ok(ts.every((t) => Number.isInteger(t) && t >= 0 && t <= 999));
});

test('descent "per-stage" (200 + 200): each stage walks 980 → 0, the image stage restarts at 980', () => {
  const ts = sequence({ descent: "per-stage" });
  const latent = ts.slice(0, 200), image = ts.slice(200);
  const expected = Array.from({ length: 200 }, (_, k) => Math.round(980 - (980 * k) / 199));
  assert.deepEqual(latent, expected);
  assert.deepEqual(image, expected);
  assert.deepEqual([latent[0], latent[199], image[0], image[199]], [980, 0, 980, 0]);
  assert.ok(gaps(latent).every((g) => g === 4 || g === 5), "steps of 980/199, rounded");
  assert.equal(ts[199]! - ts[200]!, -980, "the join jumps back up");
});

test("tMin and the image stage's t_max are configurable", () => {
  // The old behaviour, restated: per-stage, t_min 0.02.
  assert.deepEqual(sequence({ latent: { steps: 5 }, image: { steps: 3 }, descent: "per-stage", tMin: 0.02 }), [980, 740, 500, 260, 20, 980, 500, 20]);
  assert.deepEqual(sequence({ latent: { steps: 5 }, image: { steps: 3 }, descent: "per-stage", imageTMax: 0.5 }), [980, 735, 490, 245, 0, 500, 250, 0]);
  // Across stages with imageTMax: the latent stage descends towards it, the image stage from it.
  const ts = sequence({ imageTMax: 0.5 });
  // Latent: 980 − 480·k/200 (its last step one interval above 500); image: 500 → 0 over 200 steps.
  assert.deepEqual([ts[0], ts[199], ts[200], ts[399]], [980, 502, 500, 0]);
  assert.ok(gaps(ts).every((g) => g > 0), "still one descent");
  assert.throws(() => sequence({ imageTMax: 0.99 }), /imageTMax/);
  // t_min above 0 and a smaller t_max move both ends.
  const b = sequence({ tMax: 0.5, tMin: 0.1, latent: { steps: 3 }, image: { steps: 3 } });
  assert.deepEqual(b, [500, 420, 340, 260, 180, 100]);
});

test("wo-lt (no latent stage): the single descent is all image steps", () => {
  const ts = sequence({ variant: "wo-lt", latent: { steps: 2 }, image: { steps: 3 } });
  assert.deepEqual(ts, [980, 735, 490, 245, 0]);
});

test("uniform: in [t_min, t_max]·T, reproducible per (seed, step), varying over steps", () => {
  const ts = sequence({ timesteps: "uniform", tMin: 0.2, tMax: 0.6, latent: { steps: 100 }, image: { steps: 100 } }, 3);
  assert.ok(ts.every((t) => t >= 200 && t <= 600), "t out of range");
  assert.ok(new Set(ts).size > 50, "uniform t barely varies");
  assert.deepEqual(ts, sequence({ timesteps: "uniform", tMin: 0.2, tMax: 0.6, latent: { steps: 100 }, image: { steps: 100 } }, 3));
  assert.ok(ts.some((t, i) => i > 0 && t < ts[i - 1]!) && ts.some((t, i) => i > 0 && t > ts[i - 1]!), "uniform t should not be monotone");
});
