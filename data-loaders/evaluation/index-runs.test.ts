import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { TINY_LABEL } from "../run/index.js";
import { indexRuns, queryIndex, INDEX_FILE } from "./index-runs.js";
import { findRuns } from "./discover.js";
import { tempResults, writeFakeRuns } from "./fixtures.test-helpers.js";

test("findRuns lists one entry per run × stage, keyed by path under runs/", () => {
  const results = tempResults();
  writeFakeRuns(results);
  assert.deepEqual(findRuns(results).map((r) => [r.key, r.id, r.stage]), [
    ["run-a/geometry", "run-a", "geometry"],
    ["run-b/texture", "run-b", "texture"],
  ]);
  assert.deepEqual(findRuns(join(results, "nothing-here")), []);
});

test("indexRuns(resultsDir) writes runs, trajectories and metrics tables", async () => {
  const results = tempResults();
  const { geometry } = writeFakeRuns(results);
  writeJsonAtomic(join(geometry, "metrics.json"), { kind: "dreamface-metrics", profile: "tiny", label: TINY_LABEL, metrics: { clip_score: { value: 0.25, values: [0.2, 0.3] } } });
  const summary = await indexRuns(results);
  assert.deepEqual({ runs: summary.runs, trajectoryRows: summary.trajectoryRows, metrics: summary.metrics }, { runs: 2, trajectoryRows: 8, metrics: 1 });
  const db = join(results, INDEX_FILE);
  const runs = await queryIndex(db, "SELECT key, stage, prompt, profile, label, total_ms, complete, steps, seeds->>'experiment' AS seed FROM runs ORDER BY key");
  assert.deepEqual(runs, [
    { key: "run-a/geometry", stage: "geometry", prompt: "the realistic face of an old sailor", profile: "tiny", label: TINY_LABEL, total_ms: 1234, complete: true, steps: 5, seed: "7" },
    { key: "run-b/texture", stage: "texture", prompt: "a young woman with freckles", profile: "tiny", label: TINY_LABEL, total_ms: 99, complete: false, steps: 3, seed: "3" },
  ]);
  const traj = await queryIndex(db, "SELECT run_key AS key, count(*)::INTEGER AS n, max(loss_sds) AS max_sds, count(phase)::INTEGER AS phases, count(lambda_n)::INTEGER AS lambdas, count(stage)::INTEGER AS own_stage FROM trajectories GROUP BY run_key ORDER BY run_key");
  assert.deepEqual(traj, [
    { key: "run-a/geometry", n: 5, max_sds: 1, phases: 0, lambdas: 5, own_stage: 0 },
    { key: "run-b/texture", n: 3, max_sds: 2, phases: 3, lambdas: 0, own_stage: 3 },
  ]);
  const metrics = await queryIndex(db, "SELECT key, metric, value, n, source FROM metrics");
  assert.deepEqual(metrics, [{ key: "run-a/geometry", metric: "clip_score", value: 0.25, n: 2, source: "evaluate" }]);
});

test("indexRuns rebuilds idempotently and atomically (same rows, no temp files left)", async () => {
  const results = tempResults();
  writeFakeRuns(results);
  const db = join(results, INDEX_FILE);
  const dump = async () => JSON.stringify([
    await queryIndex(db, "SELECT * EXCLUDE (dir, manifest) FROM runs ORDER BY key"),
    await queryIndex(db, "SELECT * FROM trajectories ORDER BY run_key, step"),
    await queryIndex(db, "SELECT * FROM metrics ORDER BY key, metric"),
  ]);
  await indexRuns(results);
  const first = await dump();
  await indexRuns(results);
  assert.equal(await dump(), first);
  assert.deepEqual(readdirSync(results).filter((n) => n.includes(INDEX_FILE)), [INDEX_FILE]);
});

test("indexRuns on a results folder with no runs builds empty tables", async () => {
  const results = tempResults();
  const summary = await indexRuns(results);
  assert.equal(summary.runs, 0);
  assert.ok(existsSync(summary.path));
  assert.deepEqual(await queryIndex(summary.path, "SELECT (SELECT count(*) FROM runs)::INTEGER AS r, (SELECT count(*) FROM trajectories)::INTEGER AS t, (SELECT count(*) FROM metrics)::INTEGER AS m"), [{ r: 0, t: 0, m: 0 }]);
});
