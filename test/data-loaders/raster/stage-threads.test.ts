// Issue 14 item 1 in the stages: carving and texturing render through a ParallelRenderer with
// STAGE_BANDS bands, so a run's bytes are the same on the calling thread alone (the default, as
// the page's live worker runs), on 1 thread and on 2 threads (the CLI's --threads).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { createStageRenderer, renderThreads } from "../../../data-loaders/raster/render-workers.js";
import { seamSplit } from "../../../src/engine/face/seam.js";
import { Carver } from "../../../src/engine/stages/geometry/carve.js";
import { parseGeometryConfig } from "../../../src/engine/stages/geometry/config.js";
import { parseTextureConfig } from "../../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../../src/engine/stages/texture/guidance.js";
import { TextureOptimizer } from "../../../src/engine/stages/texture/optimizer.js";
import { createTextureScene } from "../../../src/engine/stages/texture/scene.js";
import { STAGE_BANDS, ParallelRenderer, type FrameRenderer } from "../../../src/engine/raster/parallel.js";
import { linearGuide } from "../../stages/geometry/fixtures.js";
import { planeMesh, prompts } from "../../engine/stages/texture/fixtures.js";

const renderers: ParallelRenderer[] = [];
after(async () => { for (const r of renderers) await r.close(); });
async function threaded(n: number): Promise<ParallelRenderer> {
  const r = await createStageRenderer(n, STAGE_BANDS);
  renderers.push(r);
  assert.equal(r.threads, n);
  return r;
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

test("carving: V_d, N_d and β after 3 steps are byte-identical on the default renderer, 1 thread and 2 threads", { timeout: 120_000 }, async () => {
  const model = await loadFaceModel();
  const split = seamSplit(model, "dreamface");
  const configOf = (renderBands?: number) => ({ ...parseGeometryConfig({ carving: { steps: 3, renderBands } }).carving, renderSize: 64, normalMapSize: 16 });
  const run = async (renderer?: ParallelRenderer, renderBands?: number) => {
    const c = new Carver({ model, split, betaStar: new Float32Array(model.identityModes.length), config: configOf(renderBands), seed: 9, guide: linearGuide(), renderer });
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push(await c.next());
    return { state: [c.vd, c.nd, c.beta].map(bytes), rows };
  };
  const base = await run();
  assert.ok(base.rows.every((r) => r.grad_norm_nd! > 0 && r.grad_norm_vd! > 0), "the renders sent gradients");
  assert.deepEqual(await run(await threaded(1)), base);
  assert.deepEqual(await run(await threaded(2)), base);
  // Another band count (the experiment's geometry.carving.renderBands) sums the scatters in
  // another order: the checks above would catch a thread-dependent split.
  const oneBand = await run(undefined, 1);
  assert.notDeepEqual(oneBand.state, base.state, "one band and four bands should differ in the last bits");
  // A renderer with other bands than the config's is refused: its bytes would not be the run's.
  assert.throws(() => new Carver({ model, split, betaStar: new Float32Array(model.identityModes.length), config: configOf(8), seed: 9, guide: linearGuide(), renderer: new ParallelRenderer([], { bands: 4 }) }), /4 bands, the config asks for 8/);
});

test("texturing: latent and image steps give the same z on the default renderer and on 2 threads", { timeout: 120_000 }, async () => {
  const backend = await createNodeBackend({ profile: "tiny" });
  try {
    const models = await createTextureModels(backend, prompts(), { latentSize: 8 });
    const config = parseTextureConfig({ latent: { steps: 2, renderSize: 16 }, image: { steps: 2, renderSize: 32 } });
    const run = async (renderer?: FrameRenderer) => {
      const opt = new TextureOptimizer({ config, models, scene: createTextureScene(planeMesh(), { renderer }), seed: 3 });
      const rows = [];
      while (opt.step < opt.total) rows.push(await opt.next());
      return { z: bytes(opt.z), rows };
    };
    const base = await run();
    assert.deepEqual(base.rows.map((r) => r.stage), ["latent", "latent", "image", "image"]);
    assert.deepEqual(await run(await threaded(2)), base);
  } finally {
    await backend.dispose();
  }
});

test("renderThreads: the flag, else DREAMFACE_THREADS, else the cores; a bad variable is named", () => {
  const saved = process.env.DREAMFACE_THREADS;
  try {
    process.env.DREAMFACE_THREADS = "3";
    assert.equal(renderThreads(), 3);
    assert.equal(renderThreads(1), 1);
    process.env.DREAMFACE_THREADS = "two";
    assert.throws(() => renderThreads(), /DREAMFACE_THREADS must be a positive integer, got "two"/);
    delete process.env.DREAMFACE_THREADS;
    assert.ok(renderThreads() >= 1);
  } finally {
    if (saved === undefined) delete process.env.DREAMFACE_THREADS;
    else process.env.DREAMFACE_THREADS = saved;
  }
});
