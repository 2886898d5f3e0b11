// The live page's carving (src/engine/live/carve-session.ts, built from the same pieces the
// page's worker gets) against `dreamface geometry --experiment` with the experiment the page
// exports: bit for bit on the same runtime (onnxruntime-node), and within a stated tolerance on
// onnxruntime-web (wasm, the browser's runtime) — the only difference is the ONNX kernels.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-web";
import { runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { createNodeBackend } from "../../data-loaders/models/backend-node.js";
import { defaultTinyDir } from "../../data-loaders/models/build-tiny.js";
import { ortWebBackend } from "../../src/components/ortWebBackend.js";
import { ClipTokenizer } from "../../src/engine/clip/tokenizer.js";
import { decodeFaceModel } from "../../src/engine/face/binary.js";
import { parseExperiment } from "../../src/engine/config/experiment.js";
import { createCarveSession } from "../../src/engine/live/carve-session.js";
import { exportExperiment } from "../../src/engine/live/controls.js";
import { liveFaceModel, liveMerges, livePoolPayload, liveSetup } from "../../data-loaders/live/pages.js";
import type { Backend } from "../../src/engine/models/backend.js";

const STEPS = 4;
/** Relative tolerance of onnxruntime-web vs -node trajectories (float32 kernels summing in other orders, over 4 Adam steps). */
const WEB_TOLERANCE = 1e-3;

const dir = tempDir("live-session-");
const setup = await liveSetup();
const base = { name: "live-test", profile: "tiny", geometry: { carving: { renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } } };
const prompt = "an old man with a wide nose";

async function liveRows(backend: Backend, changeAt?: { step: number; key: string; value: number }) {
  const pool = await livePoolPayload();

  const f = (s: string) => { const b = Buffer.from(s, "base64"); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };

  const experiment = parseExperiment({ ...base, prompt, seed: 5, geometry: { ...base.geometry, carving: { ...base.geometry.carving, steps: STEPS } } });
  const c = experiment.geometry.carving;
  const tokenizer = new ClipTokenizer(liveMerges());
  const session = await createCarveSession({
    experiment,
    carving: { ...c, renderSize: c.renderSize ?? setup.sizes.renderSize, normalMapSize: c.normalMapSize ?? setup.sizes.normalMapSize },
    backend,
    tokenize: (t) => tokenizer.tokenize(t),
    model: decodeFaceModel(await liveFaceModel()),
    pool: { dim: pool.dim, identityCount: pool.identityCount, embeddings: f(pool.embeddings), betas: f(pool.betas), anchors: { meshImage: f(pool.anchors.meshImage), text: f(pool.anchors.text) } },
    encoderVjp: "graph",
  });
  const rows = [];
  while (session.carver.step < STEPS) {
    if (changeAt && session.carver.step === changeAt.step) session.controls.set(changeAt.key, changeAt.value, session.carver.step);
    rows.push(await session.carver.next());
  }
  const exported = exportExperiment(base as never, { prompt, seed: 5, steps: STEPS, config: session.controls.config });
  return { rows, exported, coarseIndex: session.coarseIndex };
}

async function cliRows(experiment: unknown, name: string) {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(experiment));
  const r = await runCliAsync(["geometry", prompt, "--experiment", path, "--out", join(dir, name)]);
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(join(dir, name, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  for (const row of rows) delete row.time_ms;
  const manifest = JSON.parse(readFileSync(join(dir, name, "manifest.json"), "utf8"));
  return { rows, coarseIndex: manifest.inputs.coarseIndex };
}

const node = await createNodeBackend({ profile: "tiny" });
after(() => node.dispose());

test("the exported experiment through the CLI reproduces the live run bit for bit (same runtime)", { timeout: 300_000 }, async () => {
  const live = await liveRows(node);
  const cli = await cliRows(live.exported, "plain");
  assert.equal(live.coarseIndex, cli.coarseIndex, "the page ranked another β* than the CLI");
  assert.deepEqual(live.rows, cli.rows);
});

test("a λ_geo change mid-run is spliced into the exported schedule, which the CLI reproduces", { timeout: 300_000 }, async () => {
  const live = await liveRows(node, { step: 2, key: "lambdaGeo", value: 3000 });
  assert.deepEqual(live.rows.map((r) => r.lambda_geo), [1000, 1000, 3000, 3000]);
  const exported = live.exported as { geometry: { carving: { lambdaGeo: unknown } } };
  assert.deepEqual(exported.geometry.carving.lambdaGeo, { points: [[0, 1000], [1, 1000], [2, 3000]] });
  const cli = await cliRows(live.exported, "changed");
  assert.deepEqual(live.rows, cli.rows);
});

test(`onnxruntime-web (the browser's runtime) follows the CLI within ${WEB_TOLERANCE} relative`, { timeout: 300_000 }, async () => {
  const web = ortWebBackend({ ort, profile: "tiny", numThreads: 1, load: async (role) => readFileSync(join(defaultTinyDir(), `${role}.onnx`)) });
  try {
    const live = await liveRows(web);
    const cli = await cliRows(live.exported, "web");
    assert.equal(live.coarseIndex, cli.coarseIndex);
    for (let i = 0; i < STEPS; i++) {
      for (const [k, v] of Object.entries(cli.rows[i]!)) {
        const w = live.rows[i]![k]!;
        const err = Math.abs(w - (v as number)) / Math.max(1e-6, Math.abs(v as number));
        assert.ok(err <= WEB_TOLERANCE, `step ${i} ${k}: web ${w}, node ${v} (relative ${err.toExponential(2)})`);
      }
    }
  } finally {
    await web.dispose();
  }
});
