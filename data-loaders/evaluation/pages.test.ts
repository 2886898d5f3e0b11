import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { TINY_LABEL } from "../run/index.js";
import { runIds } from "./dynamic-paths.js";
import { evaluationPayload, runPagePayload, runsPagePayload } from "./pages.js";
import { invalidateReportCache } from "./stale-results.js";
import { tempResults, writeFakeRuns } from "./fixtures.test-helpers.js";

test("runIds lists one page per run id, none without runs", () => {
  const results = tempResults();
  assert.deepEqual(runIds(results), []);
  writeFakeRuns(results);
  assert.deepEqual(runIds(results), ["run-a", "run-b"]);
});

test("runsPagePayload and runPagePayload carry the label, trajectory, images and metrics", async () => {
  const results = tempResults();
  const { geometry } = writeFakeRuns(results);
  writeJsonAtomic(join(geometry, "metrics.json"), { kind: "dreamface-metrics", profile: "tiny", label: TINY_LABEL, metrics: { clip_score: { value: 0.125, values: [0.1, 0.15] } } });
  const list = runsPagePayload(results);
  assert.deepEqual(list.runs.map((r) => [r.key, r.label, r.clipScore, r.page]), [
    ["run-a/geometry", TINY_LABEL, 0.125, "./runs/run-a"],
    ["run-b/texture", TINY_LABEL, null, "./runs/run-b"],
  ]);
  const page = await runPagePayload("run-a", results);
  assert.equal(page.label, TINY_LABEL);
  const [stage] = page.stages;
  assert.deepEqual(stage!.trajectory.map((r) => r.step), [0, 1, 2, 3, 4]);
  assert.equal(stage!.trajectory[4]!.loss_sds, 0.2);
  assert.deepEqual(stage!.images.map((i) => i.file), ["renders/img-000.png", "renders/img-001.png", "renders/img-002.png"]);
  assert.ok(stage!.images[0]!.src.startsWith("data:image/png;base64,iVBOR"));
  assert.equal(stage!.metrics[0]!.value, 0.125);
  // The unfinished texture run's live JSONL is read too.
  assert.deepEqual((await runPagePayload("run-b", results)).stages[0]!.trajectory.map((r) => r.phase), ["latent", "latent", "latent"]);
  await assert.rejects(runPagePayload("run-z", results), /no run "run-z"/);
});

test("evaluationPayload: empty without results, metrics joined with prompts from the index otherwise", async () => {
  const results = tempResults();
  assert.deepEqual(await evaluationPayload(results), { source: "no results", metrics: [] });
  const { geometry } = writeFakeRuns(results);
  writeJsonAtomic(join(geometry, "metrics.json"), { kind: "dreamface-metrics", profile: "tiny", label: TINY_LABEL, metrics: { clip_score: { value: 0.5, values: [0.5] } } });
  writeJsonAtomic(join(results, "evaluation", "kid", "a-vs-b.json"), { kind: "dreamface-kid", mean: 0.01, std: 0.002, subsets: 50, profile: "tiny", label: TINY_LABEL, dirA: "a", dirB: "b" });
  const payload = await evaluationPayload(results);
  assert.deepEqual(payload.metrics.map((m) => [m.metric, m.key, m.value, m.prompt]), [
    ["clip_score", "run-a/geometry", 0.5, "the realistic face of an old sailor"],
    ["kid", "kid/a-vs-b.json", 0.01, null],
  ]);
});

test("invalidateReportCache drops only the report loaders' cached outputs", () => {
  const root = tempResults();
  const cache = join(root, ".observablehq", "cache");
  const files = ["data/runs.json", "data/evaluation.json", "runs/run-a.json", "data/geometry-run.json"];
  for (const f of files) {
    mkdirSync(join(cache, f, ".."), { recursive: true });
    writeFileSync(join(cache, f), "{}");
  }
  assert.equal(invalidateReportCache(root).length, 3);
  assert.deepEqual(files.map((f) => existsSync(join(cache, f))), [false, false, false, true]);
  assert.deepEqual(invalidateReportCache(join(root, "no-site")), []);
});
