import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTextureConfig, variantPlan } from "../../../../src/engine/stages/texture/config.js";
import { parseExperiment } from "../../../../src/engine/config/experiment.js";

test("parseTextureConfig: paper defaults (200 + 200 steps, decreasing t, 4096² maps)", () => {
  const c = parseTextureConfig({});
  assert.equal(c.latent.steps, 200);
  assert.equal(c.image.steps, 200);
  assert.equal(c.latent.renderSize, 64);
  assert.equal(c.image.renderSize, 512);
  assert.equal(c.timesteps, "decreasing");
  assert.equal(c.pbr.size, 4096);
  assert.equal(c.variant, "full");
});

test("parseTextureConfig: schedules are accepted for λ's and rejected with the field named when malformed", () => {
  const c = parseTextureConfig({ lambdaTexture: [0, 1, 0.1, 200], guidanceGeneric: { points: [[0, 100], [400, 20]] } });
  assert.deepEqual(c.lambdaTexture, [0, 1, 0.1, 200]);
  assert.throws(() => parseTextureConfig({ lambdaGeneric: [0, 1] }), /texture\.lambdaGeneric/);
  assert.throws(() => parseTextureConfig({ lambdaGeneric: -1 }), /texture\.lambdaGeneric/);
  assert.throws(() => parseTextureConfig({ latent: { steps: -3 } }), /texture\.latent\.steps/);
  assert.throws(() => parseTextureConfig({ variant: "wo-everything" }), /texture\.variant/);
  assert.throws(() => parseTextureConfig({ lamdaGeneric: 1 }), /lamdaGeneric/); // typo caught, not ignored
});

test("variantPlan: the three ablations of Sec. 7.3.3 as configurations", () => {
  assert.deepEqual(variantPlan(parseTextureConfig({})), { latentSteps: 200, imageSteps: 200, texturePath: true });
  assert.deepEqual(variantPlan(parseTextureConfig({ variant: "wo-texture" })), { latentSteps: 200, imageSteps: 200, texturePath: false });
  assert.deepEqual(variantPlan(parseTextureConfig({ variant: "wo-lt", latent: { steps: 30 }, image: { steps: 20 } })), { latentSteps: 0, imageSteps: 50, texturePath: false });
});

test("experiment: the texture section is validated inside an experiment file", () => {
  const e = parseExperiment({ name: "x", texture: { latent: { steps: 5 } } });
  assert.equal(e.texture.latent.steps, 5);
  assert.equal(e.texture.image.steps, 200);
  assert.throws(() => parseExperiment({ texture: { weighting: "cubic" } }), /texture\.weighting/);
});

test("experiments/texture-uniform-t.json parses (the DreamFusion-style uniform-t ablation with schedules)", async () => {
  const { readFileSync } = await import("node:fs");
  const e = parseExperiment(JSON.parse(readFileSync(new URL("../../../../experiments/texture-uniform-t.json", import.meta.url), "utf8")));
  assert.equal(e.texture.timesteps, "uniform");
  assert.deepEqual(e.texture.tMax, [0, 0.98, 0.5, 400]);
});
