// The live page on the offline build (shared with the other site tests): in-browser engine
// (Web Worker, onnxruntime-web, tiny) driven like a researcher would; then the same built page
// served by `dreamface serve` and driven over its protocol with the token from the address.
import assert from "node:assert/strict";
import { test } from "node:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { serve, type LiveServer } from "../../data-loaders/live/serve.js";
import { servedSite } from "./served-site.js";
import { driveLivePage, TEXTURE_STEPS } from "./live-drive.js";
import { tempDir } from "../helpers/tmp.js";

const ctx = servedSite();

test("live page: Run reaches step 10, a λ_geo slider move applies from the next step and is recorded; then texture latent on that T† with a λ_g move", { timeout: 1_500_000 }, async () => {
  const page = await ctx.chromium.context.newPage();
  try {
    const r = await driveLivePage(page, `${ctx.server.origin}/live`, ctx.server.origin, { texture: true });
    assert.deepEqual(r.problems, []);
    assert.ok(r.changeStep >= 10, `change recorded at step ${r.changeStep}`);
    assert.match(r.changesListed[0] ?? "", new RegExp(`step ${r.changeStep}: lambdaGeo → 3000`));
    for (const [step, value] of r.lambdaGeo) assert.equal(value, step < r.changeStep ? 1000 : 3000, `λ_geo at step ${step}`);
    assert.ok([...r.lambdaGeo.keys()].some((s) => s >= r.changeStep + 1), "no row after the change is shown");
    const carving = (r.exported as { geometry: { carving: Record<string, unknown> } }).geometry.carving;
    assert.deepEqual(carving.lambdaGeo, { points: [[0, 1000], [r.changeStep - 1, 1000], [r.changeStep, 3000]] });
    // Texture latent: textures the paused carving's T†; the export carries both sections.
    const t = r.texture!;
    assert.ok(t.changeStep >= 2 && t.changeStep < TEXTURE_STEPS, `λ_g change at step ${t.changeStep}`);
    assert.ok(t.lambdaG.size > 0);
    for (const [step, value] of t.lambdaG) assert.equal(value, step < t.changeStep ? 1 : 4, `λ_g at step ${step}`);
    assert.equal(t.previews, 2, "the latent and decoded previews are not shown");
    const exp = t.exported as { geometry: { carving: { steps: number; lambdaGeo: unknown } }; texture: { lambdaGeneric: unknown; latent: { steps: number }; image: { steps: number } } };
    assert.ok(exp.geometry.carving.steps >= r.changeStep + 2, "the export does not carve as far as the textured T† was carved");
    assert.deepEqual(exp.geometry.carving.lambdaGeo, carving.lambdaGeo);
    assert.deepEqual(exp.texture.lambdaGeneric, { points: [[0, 1], [t.changeStep - 1, 1], [t.changeStep, 4]] });
    assert.equal(exp.texture.latent.steps, TEXTURE_STEPS);
    assert.equal(exp.texture.image.steps, 0);
  } finally {
    await page.close();
  }
});

test("live page through dreamface serve: the token in the address drives a server run into results/runs", { timeout: 600_000 }, async () => {
  const results = tempDir("live-site-serve-");
  const before = process.env.DREAMFACE_RESULTS_DIR;
  process.env.DREAMFACE_RESULTS_DIR = results;
  let live: LiveServer | undefined;
  const page = await ctx.chromium.context.newPage();
  try {
    live = await serve({ site: ctx.site.dist, quiet: true });
    const r = await driveLivePage(page, live.url, live.origin);
    assert.deepEqual(r.problems, []);
    assert.ok(r.changeStep >= 10);
    const runs = readdirSync(join(results, "runs"));
    assert.equal(runs.length, 1);
    assert.ok(existsSync(join(results, "runs", runs[0]!, "geometry", "live-changes.jsonl")), "the server did not record the change");
    assert.ok(existsSync(join(results, "runs", runs[0]!, "geometry", "checkpoints")), "the server run has no checkpoints");
  } finally {
    await page.close();
    await live?.close();
    process.env.DREAMFACE_RESULTS_DIR = before;
  }
});
