// The geometry stage end to end on the tiny profile: outputs exist and validate, the same seed
// gives the same bytes, and a run stopped at its step-3 checkpoint resumes to the same files as
// an uninterrupted 6-step run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { resolveCarving, runGeometryStage } from "../../../data-loaders/geometry/run.js";
import { readGeometryRun } from "../../../data-loaders/texture/geometry-input.js";
import { Checkpointer } from "../../../data-loaders/run/index.js";
import { parseGeometryConfig } from "../../../src/engine/stages/geometry/config.js";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { tempDir } from "../../helpers/tmp.js";

const tmp = tempDir("dreamface-geometry-test-");
const pool = join(tmp, "pool");
const experiment = join(tmp, "exp.json");
writeFileSync(experiment, JSON.stringify({ name: "test", seed: 3, geometry: { carving: { steps: 6, checkpointEvery: 3, snapshotEvery: 3, renderSize: 32, normalMapSize: 32 }, hair: { colour: "black", renderSize: 64 } } }));
const backend = await createNodeBackend({ profile: "tiny" });
await buildPool({ out: pool, size: 6, chunkSize: 6, seed: 1, backend, quiet: true });
test.after(() => backend.dispose());

const run = (out: string, extra: Record<string, unknown> = {}) => runGeometryStage({ prompt: "a face with a long chin", pool, experiment, out, backend, quiet: true, ...extra });
const DETERMINISTIC = ["trajectory.jsonl", "trajectory.parquet", "hair-front.png", "coarse.glb", "coarse.obj", "carved.glb", "carved.obj", "normal-map.png", "normal-map.f32", "normal-map.json", "ranking.parquet", "beta.json", "snapshots/step-0003-render.png", "snapshots/step-0006-normal.png"];
const manifest_ = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const glbJson = (path: string) => {
  const b = readFileSync(path);
  return JSON.parse(b.subarray(20, 20 + b.readUInt32LE(12)).toString("utf8"));
};

test("a 6-step run writes valid meshes, the normal map, ranking, trajectory and a labelled manifest", async () => {
  const r = await run(join(tmp, "a"));
  assert.equal(r.complete, true);
  assert.equal(r.stepsDone, 6);
  assert.notDeepEqual(r.beta, r.betaStar, "β was refined");
  const hair = JSON.parse(readFileSync(join(r.dir, "hair-scores.json"), "utf8"));
  assert.equal(hair.colour, "black");
  assert.equal(manifest_(r.dir).outputs["hair-scores.json"] !== undefined, true, "the manifest lists the hair files");
  const glbs = ["coarse.glb", "carved.glb", ...(hair.style === "bald" ? [] : ["hair.glb"])];
  for (const name of glbs) {
    await assertValidGlb(readFileSync(join(r.dir, name)), name);
  }
  for (const name of ["coarse.glb", "carved.glb"]) assert.equal(glbJson(join(r.dir, name)).meshes[0].extras.targetNames.length, 53, `${name} has the 53 expressions`);
  assert.ok(glbJson(join(r.dir, "carved.glb")).materials[0].normalTexture, "carved.glb carries N_d");
  const manifest = JSON.parse(readFileSync(join(r.dir, "manifest.json"), "utf8"));
  assert.equal(manifest.label, "tiny profile — test signal, not a face");
  assert.equal(manifest.config.geometry.carving.steps, 6);
  assert.equal(manifest.config.geometry.carving.renderSize, 32);
  assert.ok(manifest.modelHashes.unet && manifest.modelHashes.clip_image);
  const rows = readFileSync(join(r.dir, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((row) => row.step), [0, 1, 2, 3, 4, 5]);
  assert.ok(rows.every((row) => !("time_ms" in row)), "no wall-clock time in rows (it is in the manifest's timings)");
  assert.ok(readFileSync(join(r.dir, "trajectory.parquet")).length > 100);
});

test("same seed → same bytes", async () => {
  const b = await run(join(tmp, "b"));
  for (const f of DETERMINISTIC) assert.ok(readFileSync(join(tmp, "a", f)).equals(readFileSync(join(b.dir, f))), `${f} differs between identical runs`);
  const scores = (dir: string) => { const { ms: _ms, ...rest } = JSON.parse(readFileSync(join(dir, "hair-scores.json"), "utf8")); return rest; };
  assert.deepEqual(scores(b.dir), scores(join(tmp, "a")));
});

test("N_d reaches the texture stage as exactly the floats carving optimised, at the configured size per UV tile", async () => {
  const dir = join(tmp, "a"); // the 6-step run of the first test (normalMapSize 32)
  const saved = new Checkpointer(dir).load();
  assert.ok(saved && saved.step === 6, "the final checkpoint holds the carver's N_d");
  const nd = saved.state.nd as Float32Array;
  const geo = await readGeometryRun(dir);
  // An atlas: the face tile and the head-and-neck tile, 32² each, side by side.
  assert.equal(geo.detailNormalMap.height, 32);
  assert.equal(geo.detailNormalMap.width, 64);
  assert.equal(geo.detailNormalMap.data.length, 32 * 64 * 3);
  assert.ok(Buffer.from(geo.detailNormalMap.data.buffer, geo.detailNormalMap.data.byteOffset, geo.detailNormalMap.data.byteLength).equals(Buffer.from(nd.buffer, nd.byteOffset, nd.byteLength)), "bit-identical to the carver's N_d");
  assert.ok(nd.some((v) => Math.round((v * 0.5 + 0.5) * 255) / 255 !== v * 0.5 + 0.5), "N_d has values an 8-bit PNG would have quantised");
  assert.equal(geo.scene.detailNormalMap, geo.detailNormalMap, "the texture scene uses it");
  // The export PNG is 16-bit RGB (IHDR bit depth 16).
  assert.equal(readFileSync(join(dir, "normal-map.png"))[24], 16);
  // A torn or mismatched pair is refused, not silently read.
  const copy = join(tmp, "torn");
  cpSync(dir, copy, { recursive: true });
  const f32 = readFileSync(join(copy, "normal-map.f32"));
  f32[0]! ^= 1;
  writeFileSync(join(copy, "normal-map.f32"), f32);
  await assert.rejects(readGeometryRun(copy), (e: unknown) => e instanceof UserError && /does not match the hash/.test((e as Error).message));
});

test("N_d's size defaults by profile: 512² on sd15, 128² on tiny; an experiment overrides it", () => {
  const carving = parseGeometryConfig({}).carving;
  assert.equal(resolveCarving(carving, "sd15").normalMapSize, 512);
  assert.equal(resolveCarving(carving, "tiny").normalMapSize, 128);
  assert.equal(resolveCarving(parseGeometryConfig({ carving: { normalMapSize: 64 } }).carving, "sd15").normalMapSize, 64);
});

test("a run stopped after its step-3 checkpoint resumes to the uninterrupted result", async () => {
  const dir = join(tmp, "resumed");
  const first = await run(dir, { stopAfter: 4 }); // steps 4 ran; the checkpoint is at 3, so step 4 is redone
  assert.equal(first.complete, false);
  const second = await run(dir);
  assert.equal(second.complete, true);
  for (const f of DETERMINISTIC) assert.ok(readFileSync(join(tmp, "a", f)).equals(readFileSync(join(dir, f))), `${f} differs after resume`);
});

test("bad input is named: empty prompt, reused folder with other settings, broken experiment", async () => {
  await assert.rejects(run(join(tmp, "d"), { prompt: "  " }), (e: Error) => e instanceof UserError && /prompt is empty/.test(e.message));
  await assert.rejects(run(join(tmp, "a"), { prompt: "someone else" }), /holds a geometry run with different settings/);
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, JSON.stringify({ geometry: { carving: { lambdaGeo: -1 } } }));
  await assert.rejects(run(join(tmp, "e"), { experiment: bad }), /geometry\.carving\.lambdaGeo: must not take negative values/);
  await assert.rejects(run(join(tmp, "f"), { pool: join(tmp, "none") }), /no candidate pool/);
});
