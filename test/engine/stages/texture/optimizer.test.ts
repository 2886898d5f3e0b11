import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { parseTextureConfig } from "../../../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../../../src/engine/stages/texture/guidance.js";
import { TextureOptimizer } from "../../../../src/engine/stages/texture/optimizer.js";
import { RestoreMismatchError } from "../../../../src/engine/run/resumable.js";
import { createTextureScene } from "../../../../src/engine/stages/texture/scene.js";
import { planeMesh, prompts } from "./fixtures.js";

const backend = await createNodeBackend({ profile: "tiny" });
const models = await createTextureModels(backend, prompts(), { latentSize: 8 });
const scene = createTextureScene(planeMesh());
const config = parseTextureConfig({ latent: { steps: 3, renderSize: 16 }, image: { steps: 2, renderSize: 32 } });

async function run(seed: number, stopAt?: number, resumeFrom?: ReturnType<TextureOptimizer["state"]>) {
  const opt = new TextureOptimizer({ config, models, scene, seed });
  if (resumeFrom) opt.restore(resumeFrom);
  const rows = [];
  while (opt.step < opt.total && (stopAt === undefined || opt.step < stopAt)) rows.push(await opt.next());
  return { opt, rows };
}

test("TextureOptimizer: latent steps first then image steps; same seed → same latent, other seed → another", async () => {
  const a = await run(1), b = await run(1), c = await run(2);
  assert.deepEqual(a.rows.map((r) => r.stage), ["latent", "latent", "latent", "image", "image"]);
  // One descent 0.98T → 0 over both stages (the default `descent: "across-stages"`).
  assert.deepEqual(a.rows.map((r) => r.t), [980, 735, 490, 245, 0]);
  assert.deepEqual(Array.from(a.opt.z), Array.from(b.opt.z));
  assert.deepEqual(a.rows, b.rows);
  assert.notDeepEqual(Array.from(a.opt.z), Array.from(c.opt.z));
});

test("TextureOptimizer: state() at step 2 → restore() in a fresh optimizer continues to the same result", async () => {
  const whole = await run(5);
  const first = await run(5, 2);
  const rest = await run(5, undefined, first.opt.state());
  assert.deepEqual(Array.from(rest.opt.z), Array.from(whole.opt.z));
  assert.deepEqual([...first.rows, ...rest.rows], whole.rows);
  assert.throws(() => first.opt.restore({ ...first.opt.state(), z: new Float32Array(3) }), /"z" has 3 values, expected 256/);
  assert.throws(() => first.opt.restore({ ...first.opt.state(), step: 99 }), RestoreMismatchError);
  assert.equal(first.opt.step, 2, "a rejected restore leaves the optimizer as it was");
});
