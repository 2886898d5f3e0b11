import { test } from "node:test";
import assert from "node:assert/strict";
import { Carver } from "./carve.js";
import { orbitCamera, directionalLight } from "../../raster/camera.js";
import { parseGeometryConfig } from "./config.js";
import { seamSplit } from "../../face/seam.js";
import { gridFaceModel, linearGuide } from "../../../../test/stages/geometry/fixtures.js";

function setup(seed = 5, overrides: Record<string, unknown> = {}) {
  const model = gridFaceModel();
  const config = { ...parseGeometryConfig({ carving: { steps: 6, lrDisplacement: 0.05, ...overrides } }).carving, renderSize: 32, normalMapSize: 16 };
  const betaStar = Float32Array.from([0.5, -0.2, 0.1, 0]);
  return { model, split: seamSplit(model, "dreamface"), betaStar, config, seed, guide: linearGuide() };
}

async function run(c: Carver, steps: number) {
  const rows = [];
  for (let i = 0; i < steps; i++) rows.push(await c.next());
  return rows;
}

test("carving moves every parameter group and logs every term", async () => {
  const c = new Carver(setup());
  const rows = await run(c, 3);
  assert.equal(c.step, 3);
  assert.ok(rows.every((r) => Number.isFinite(r.loss_total!)));
  assert.ok(c.vd.some((v) => v !== 0), "V_d moved");
  assert.ok(c.nd.some((v, i) => v !== (i % 3 === 2 ? 1 : 0)), "N_d moved");
  assert.ok(c.beta.some((v, i) => v !== [0.5, -0.2, 0.1, 0][i]), "β moved");
  for (const key of ["t", "loss_sds", "loss_shape", "loss_geo", "loss_map", "grad_norm_vd", "grad_norm_nd", "grad_norm_beta", "lambda_geo", "lr_vd", "guidance", "azimuth"])
    assert.ok(key in rows[0]!, key);
  assert.ok(rows.every((r) => r.t! >= 20 && r.t! <= 980));
  assert.ok(rows.every((r) => r.azimuth! >= -45 && r.azimuth! <= 45));
});

test("same seed → identical parameters; a different seed differs", async () => {
  const a = new Carver(setup(5)), b = new Carver(setup(5)), c = new Carver(setup(6));
  await run(a, 4); await run(b, 4); await run(c, 4);
  assert.deepEqual(a.vd, b.vd);
  assert.deepEqual(a.nd, b.nd);
  assert.deepEqual(a.beta, b.beta);
  assert.notDeepEqual(a.vd, c.vd);
});

test("resume from a step-3 checkpoint reproduces a 6-step run exactly", async () => {
  const full = new Carver(setup());
  const fullRows = await run(full, 6);
  const first = new Carver(setup());
  await run(first, 3);
  const saved = structuredClone(first.state());
  const resumed = new Carver(setup());
  resumed.restore(saved);
  const tail = await run(resumed, 3);
  assert.deepEqual(resumed.vd, full.vd);
  assert.deepEqual(resumed.nd, full.nd);
  assert.deepEqual(resumed.beta, full.beta);
  assert.deepEqual(tail, fullRows.slice(3));
});

test("refineShape: false keeps β at β*; displacements stay within maxDisplacement", async () => {
  const c = new Carver(setup(5, { refineShape: false, maxDisplacement: 0.01, lrDisplacement: 1 }));
  await run(c, 3);
  assert.deepEqual(Array.from(c.beta), Array.from(Float32Array.from([0.5, -0.2, 0.1, 0])));
  assert.ok(c.vd.every((v) => Math.abs(v) <= 0.01 + 1e-7));
  assert.ok(c.vd.some((v) => Math.abs(v) > 0.005));
});

test("restore names a checkpoint that doesn't fit", () => {
  const c = new Carver(setup());
  const bad = { ...c.state(), vd: new Float32Array(3) };
  assert.throws(() => c.restore(bad), /"vd" has 3 values, expected/);
});

test("every render's tangent frame and displacement directions come from the current mesh, not T(β*)", async () => {
  const c = new Carver(setup());
  await run(c, 2);
  for (let v = 0; v < c.vd.length; v++) c.vd[v] = 0.4 * Math.sin(1.3 * v); // a visibly carved T†
  const camera = orbitCamera({ azimuth: 20 }), light = directionalLight(30, 20);
  const f = c.renderCarved(camera, light, 32);
  assert.deepEqual(f.carved, c.carved());
  assert.deepEqual(f.frame.tangents, c.tangentsOf(f.carved));
  assert.notDeepEqual(f.frame.tangents, c.tangentsOf(c.coarse));
  // The image is the one rendered with T†'s own frame, and differs from one with the coarse frame.
  assert.deepEqual(f.rendered.image, c.renderView(f.carved, camera, light, 32, true, c.tangentsOf(f.carved)).image);
  assert.notDeepEqual(f.rendered.image, c.renderView(f.carved, camera, light, 32, true, c.tangentsOf(c.coarse)).image);
});
