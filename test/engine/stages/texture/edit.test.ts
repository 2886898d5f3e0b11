import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { blendMasked, downsampleMask, editTexture } from "../../../../src/engine/stages/texture/edit.js";
import { createTextureModels } from "../../../../src/engine/stages/texture/guidance.js";
import { Rng } from "../../../../src/engine/util/rng.js";
import { prompts } from "./fixtures.js";

test("blendMasked: m = 0 keeps the original bit for bit, m = 1 takes the edit, between mixes", () => {
  const original = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  const edited = Float32Array.from([1, 1, 1, 0, 0, 0, 0.5, 0.5, 0.5]);
  const out = blendMasked(original, edited, Float32Array.from([0, 1, 0.5]), 3);
  assert.deepEqual(Array.from(out.subarray(0, 3)), Array.from(original.subarray(0, 3)));
  assert.deepEqual(Array.from(out.subarray(3, 6)), [0, 0, 0]);
  assert.ok(Math.abs(out[6]! - 0.6) < 1e-7);
  assert.throws(() => blendMasked(original, edited, new Float32Array(2), 3), /sizes differ/);
});

test("downsampleMask averages blocks", () => {
  const m = new Float32Array(16);
  m.fill(1, 0, 2); // two pixels of the top-left 2×2 block
  assert.deepEqual(Array.from(downsampleMask(m, 4, 2)), [0.5, 0, 0, 0]);
});

test("editTexture: masked inpainting (with a sketch) changes only the masked pixels; img2img is seeded", async () => {
  const backend = await createNodeBackend({ profile: "tiny" });
  const models = await createTextureModels(backend, prompts("with heavy makeup"), { latentSize: 8 });
  const S = 64;
  const image = new Rng(3).normals(S * S * 3).map((v) => 0.5 + 0.1 * v);
  const mask = new Float32Array(S * S);
  for (let y = 16; y < 40; y++) for (let x = 8; x < 32; x++) mask[y * S + x] = 1;
  const sketch = new Float32Array(S * S * 3).fill(0.9);
  const out = await editTexture(models, { image, strength: 0.6, steps: 10, mask, sketch, seed: 1 });
  let changed = 0;
  for (let p = 0; p < S * S; p++)
    for (let c = 0; c < 3; c++) {
      if (mask[p] === 0) assert.equal(out[p * 3 + c], image[p * 3 + c], `pixel ${p} outside the mask changed`);
      else if (out[p * 3 + c] !== image[p * 3 + c]) changed++;
    }
  assert.ok(changed > 0.9 * 24 * 24 * 3, `only ${changed} masked values changed`);
  const a = await editTexture(models, { image, strength: 0.5, steps: 10, seed: 2 });
  const b = await editTexture(models, { image, strength: 0.5, steps: 10, seed: 2 });
  assert.deepEqual(Array.from(a), Array.from(b));
  await assert.rejects(editTexture(models, { image: new Float32Array(10 * 10 * 3), strength: 0.5 }), /multiple of 8/);
  await assert.rejects(editTexture(models, { image, strength: 0 }), /strength/);
});
