// The live page's latent-space texture SDS (src/engine/live/texture-session.ts) on the carving
// session's current T† and N_d, against the CLI: the exported experiment through
// `dreamface geometry --experiment` then `dreamface texture <geometry> --experiment` gives the
// same texture trajectory bit for bit on the same runtime (onnxruntime-node), a mid-run λ_g
// change included (it is spliced into the exported schedule).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { createNodeBackend } from "../../data-loaders/models/backend-node.js";
import { ClipTokenizer } from "../../src/engine/clip/tokenizer.js";
import { decodeFaceModel } from "../../src/engine/face/binary.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import { parseExperiment } from "../../src/engine/config/experiment.js";
import { createCarveSession } from "../../src/engine/live/carve-session.js";
import { carvedTextureScene, createTextureSession } from "../../src/engine/live/texture-session.js";
import { exportExperiment } from "../../src/engine/live/controls.js";
import { liveFaceModel, liveMerges, livePoolPayload } from "../../data-loaders/live/pages.js";

const CARVE_STEPS = 2;
const TEXTURE_STEPS = 3;
const dir = tempDir("live-texture-");
const prompt = "a young woman with freckles";
const base = {
  name: "live-texture-test",
  profile: "tiny",
  geometry: { carving: { renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } },
  texture: { latent: { steps: TEXTURE_STEPS }, image: { steps: 0 }, pbr: { size: 16, glbTextureSize: 16 } },
};

const node = await createNodeBackend({ profile: "tiny" });
after(() => node.dispose());

async function liveRows(change?: { step: number; key: string; value: number }) {
  const pool = await livePoolPayload();
  const f = (s: string) => {
    const b = Buffer.from(s, "base64");
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const experiment = parseExperiment({ ...base, prompt, seed: 3, geometry: { ...base.geometry, carving: { ...base.geometry.carving, steps: CARVE_STEPS } } });
  const c = experiment.geometry.carving;
  const tokenizer = new ClipTokenizer(liveMerges());
  const tokenize = (t: string) => tokenizer.tokenize(t);
  const model = decodeFaceModel(await liveFaceModel());
  const carve = await createCarveSession({
    experiment,
    carving: { ...c, renderSize: 32, normalMapSize: 16 },
    backend: node,
    tokenize,
    model,
    pool: { dim: pool.dim, identityCount: pool.identityCount, embeddings: f(pool.embeddings), betas: f(pool.betas), anchors: { meshImage: f(pool.anchors.meshImage), text: f(pool.anchors.text) } },
    encoderVjp: "graph",
  });
  while (carve.carver.step < CARVE_STEPS) await carve.carver.next();
  const scene = carvedTextureScene(seamSplit(model, "dreamface"), carve.carver.carved(), { data: carve.carver.nd, width: carve.carver.ndWidth, height: carve.carver.ndHeight });
  const tex = await createTextureSession({ prompt, seed: experiment.seed, texture: experiment.texture, vaeGradient: "exact", backend: node, tokenize, scene });
  const rows = [];
  while (!tex.optimizer.done) {
    if (change && tex.optimizer.step === change.step) tex.controls.set(change.key, change.value, tex.optimizer.step);
    rows.push({ ...(await tex.optimizer.next()) });
  }
  const exported = exportExperiment(base as never, { prompt, seed: 3, steps: carve.carver.step, config: carve.controls.config, texture: tex.optimizer.config });
  return { rows, exported };
}

async function cliRows(experiment: unknown, name: string) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(experiment));
  const g = await runCliAsync(["geometry", prompt, "--experiment", path, "--out", join(dir, name, "geometry")]);
  assert.equal(g.status, 0, g.stderr);
  const t = await runCliAsync(["texture", join(dir, name, "geometry"), "--experiment", path, "--out", join(dir, name, "texture")]);
  assert.equal(t.status, 0, t.stderr);
  const rows = readFileSync(join(dir, name, "texture", "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  for (const row of rows) delete row.time_ms;
  return rows;
}

/** JSON drops nothing the CLI's trajectory keeps: compare as the file stores them. */
const asJson = (rows: unknown[]) => JSON.parse(JSON.stringify(rows));

test("the exported experiment through the CLI reproduces the live texture trajectory bit for bit", { timeout: 600_000 }, async () => {
  const live = await liveRows();
  assert.equal(live.rows.length, TEXTURE_STEPS);
  assert.ok(live.rows.every((r) => r.stage === "latent"));
  const exported = live.exported as { texture: { latent: { steps: number }; variant: string } };
  assert.equal(exported.texture.latent.steps, TEXTURE_STEPS);
  assert.deepEqual(await cliRows(live.exported, "plain"), asJson(live.rows));
});

test("a λ_g change mid-run is spliced into the exported texture schedule, which the CLI reproduces", { timeout: 600_000 }, async () => {
  const live = await liveRows({ step: 1, key: "lambdaGeneric", value: 4 });
  assert.deepEqual(live.rows.map((r) => r.lambda_g), [1, 4, 4]);
  const exported = live.exported as { texture: { lambdaGeneric: unknown } };
  assert.deepEqual(exported.texture.lambdaGeneric, { points: [[0, 1], [1, 4]] });
  assert.deepEqual(await cliRows(live.exported, "changed"), asJson(live.rows));
});
