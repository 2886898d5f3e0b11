// Issue 11.1: renders of the neck and scalp come from optimised texels. On ICT's region mesh
// the texture is a stack of two tiles (face | head and neck); pixels that sample only the head
// tile pull their gradient onto that tile, and the optimizer moves its texels step by step.
// The tiny models give test signals, not faces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { loadFaceModel } from "../../../../data-loaders/face/load.js";
import { seamSplit } from "../../../../src/engine/face/seam.js";
import { parseTextureConfig } from "../../../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../../../src/engine/stages/texture/guidance.js";
import { TextureOptimizer } from "../../../../src/engine/stages/texture/optimizer.js";
import { createTextureScene } from "../../../../src/engine/stages/texture/scene.js";
import { latentGenericForward, imageGenericForward, latentStep } from "../../../../src/engine/stages/texture/sds.js";
import { l2norm } from "../../../../src/engine/util/vec.js";
import { Rng } from "../../../../src/engine/util/rng.js";
import { prompts } from "./fixtures.js";

const model = await loadFaceModel();
const split = seamSplit(model, "dreamface");
const positions = model.neutral.slice(0, model.regions.dreamface.vertexCount * 3);
const nd = new Float32Array(4 * 8 * 3);
for (let i = 2; i < nd.length; i += 3) nd[i] = 1;
const scene = createTextureScene({ positions, triangles: split.triangles, uv: split.uv, source: split.source, tiles: split.tiles, detailNormalMap: { data: nd, width: 8, height: 4 } });
const backend = await createNodeBackend({ profile: "tiny" });
const models = await createTextureModels(backend, prompts(), { latentSize: 8 });
const config = parseTextureConfig({ latent: { steps: 3, renderSize: 32 }, image: { steps: 3, renderSize: 32 }, background: "solid" });
const N = 8 * 8 * 4;

test("ICT's region renders a two-tile stack; pixels of the neck and scalp send their gradient to the head tile only", async () => {
  assert.equal(scene.tiles, 2);
  // Face tile 0, head tile 1: a pixel reading exactly 1 took every bilinear tap from the head tile.
  const z = new Float32Array(2 * N);
  z.fill(1, N);
  const fwd = await latentGenericForward({ config, scene }, z, Rng.derive(5, "view"));
  const head = new Float32Array(fwd.scored.length);
  let headPixels = 0, facePixels = 0;
  for (let p = 0; p < fwd.scored.length / 4; p++) {
    const v = fwd.scored[p * 4]!;
    if (v === 1 && fwd.scored[p * 4 + 1] === 1) (headPixels++, head.fill(1, p * 4, p * 4 + 4));
    else if (v === 0) facePixels++;
  }
  assert.ok(headPixels > 30 && facePixels > 30, `the view shows head (${headPixels} px) and face (${facePixels} px)`);
  const g = await fwd.backward(head);
  assert.ok(l2norm(g.subarray(N)) > 1, `head-tile gradient ${l2norm(g.subarray(N))}`);
  assert.equal(l2norm(g.subarray(0, N)), 0, "no face-tile texel is read by a head-only pixel");
  // Image space: through D per tile, the renderer's atlas and E, the head tile gets gradient too.
  const img = await imageGenericForward({ config, scene, models }, new Rng(3).normals(2 * N), Rng.derive(5, "view"));
  const gi = await img.backward(new Rng(4).normals(img.scored.length));
  assert.ok(l2norm(gi.subarray(N)) > 0 && l2norm(gi.subarray(0, N)) > 0);
});

test("TextureOptimizer moves the head tile's texels every step (latent and image stages); the texture path stays on the face tile", async () => {
  const opt = new TextureOptimizer({ config, models, scene, seed: 3 });
  assert.equal(opt.z.length, 2 * N);
  let prev = Float32Array.from(opt.tile(1));
  for (let s = 0; s < 6; s++) {
    const row = await opt.next();
    assert.ok(Number(row.grad_norm_g_head) > 0, `step ${s} (${row.stage}): no gradient reached the head tile`);
    const now = opt.tile(1);
    assert.ok(now.some((v, i) => v !== prev[i]), `step ${s}: the head tile did not move`);
    prev = Float32Array.from(now);
  }
  // The texture path alone (λ_g = 0): the texture LDM scores the face tile, as in the paper.
  const texOnly = parseTextureConfig({ ...config, lambdaGeneric: 0 });
  const out = await latentStep({ config: texOnly, models, scene, seed: 3, step: 0, stageStep: 0, stageSteps: 3, texturePath: true, t: 500 }, opt.z);
  assert.ok(Number(out.log.grad_norm_tau) > 0);
  assert.ok(l2norm(out.grad.subarray(0, N)) > 0);
  assert.equal(l2norm(out.grad.subarray(N)), 0, "the texture path touches no head-tile texel");
});
