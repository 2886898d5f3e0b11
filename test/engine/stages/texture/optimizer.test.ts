import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { parseTextureConfig } from "../../../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../../../src/engine/stages/texture/guidance.js";
import { TextureOptimizer } from "../../../../src/engine/stages/texture/optimizer.js";
import { createTextureScene } from "../../../../src/engine/stages/texture/scene.js";
import { planeMesh, prompts } from "./fixtures.js";

const backend = await createNodeBackend({ profile: "tiny" });
const models = await createTextureModels(backend, prompts(), { latentSize: 8 });
const scene = createTextureScene(planeMesh());
const config = parseTextureConfig({ latent: { steps: 3, renderSize: 16 }, image: { steps: 2, renderSize: 32 } });

async function run(seed: number, stopAt?: number, resumeFrom?: ReturnType<TextureOptimizer["getState"]>) {
  const opt = new TextureOptimizer({ config, models, scene, seed });
  if (resumeFrom) opt.setState(resumeFrom);
  const rows = [];
  while (!opt.done && (stopAt === undefined || opt.step < stopAt)) rows.push(await opt.next());
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

test("TextureOptimizer: getState at step 2 → setState in a fresh optimizer continues to the same result", async () => {
  const whole = await run(5);
  const first = await run(5, 2);
  const rest = await run(5, undefined, first.opt.getState());
  assert.deepEqual(Array.from(rest.opt.z), Array.from(whole.opt.z));
  assert.deepEqual([...first.rows, ...rest.rows], whole.rows);
  assert.throws(() => first.opt.setState({ ...first.opt.getState(), z: new Float32Array(3) }), /expected 256/);
});
