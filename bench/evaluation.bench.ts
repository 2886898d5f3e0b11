// Evaluation benchmarks. (1) Building the DuckDB index over 40 runs × 1000 trajectory rows,
// against the peer a loader would otherwise use: reading every trajectory.parquet with
// hyparquet. (2) Per-run loss minima: a SQL query on the index vs the same aggregate in JS over
// the hyparquet rows. (3) evaluateRun (PNG reading, tokenizing, metrics.json) against
// clipScoreOfImages on images already in memory, i.e. the cost of the file plumbing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { createRunDir, TrajectoryLog, writeManifest } from "../data-loaders/run/index.js";
import { indexRuns, queryIndex } from "../data-loaders/evaluation/index-runs.js";
import { findRuns } from "../data-loaders/evaluation/discover.js";
import { evaluateRun } from "../data-loaders/evaluation/evaluate.js";
import { listPngs, readImage } from "../data-loaders/evaluation/images.js";
import { writePngs } from "../data-loaders/evaluation/fixtures.test-helpers.js";
import { createNodeBackend } from "../data-loaders/models/backend-node.js";
import { tokenize } from "../data-loaders/clip/merges.js";
import { clipScoreOfImages } from "../src/engine/clip/scoreImages.js";
import { Rng } from "../src/engine/util/rng.js";
import { ratioLine, report, time } from "./lib.js";

const RUNS = 40, ROWS = 1000;
const results = mkdtempSync(join(tmpdir(), "dreamface-bench-eval-"));
try {
  for (let r = 0; r < RUNS; r++) {
    const dir = createRunDir({ stage: "geometry", outDir: join(results, "runs", `run-${String(r).padStart(3, "0")}`, "geometry") });
    const rng = Rng.derive(r, "bench");
    const log = new TrajectoryLog(dir, "trajectory", 1000);
    for (let step = 0; step < ROWS; step++) log.append({ step, loss_sds: rng.uniform(), loss_geo: rng.uniform(), t: rng.int(20, 980), lr: 0.01 });
    log.toParquet(join(dir, "trajectory.parquet"));
    writeManifest(dir, { stage: "geometry", config: {}, seeds: { experiment: r }, profile: "tiny", timings: { total: 1000 }, inputs: { prompt: `bench run ${r}` } });
  }
  const readAll = async () => {
    const all: Record<string, unknown>[][] = [];
    for (const run of findRuns(results)) {
      const bytes = readFileSync(join(run.dir, "trajectory.parquet"));
      all.push((await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Record<string, unknown>[]);
    }
    return all;
  };
  const build = await time("indexRuns", () => indexRuns(results), { runs: 5, warmup: 1 });
  const peerRead = await time("hyparquet read of every trajectory", readAll, { runs: 5, warmup: 1 });
  const db = join(results, "dreamface.duckdb");
  const query = await time("SQL min(loss_sds) per run", () => queryIndex(db, "SELECT run_key, min(loss_sds) AS m FROM trajectories GROUP BY run_key"), { runs: 10 });
  const peerQuery = await time("hyparquet + JS min per run", async () => (await readAll()).map((rows) => Math.min(...rows.map((x) => Number(x.loss_sds)))), { runs: 5, warmup: 1 });

  const backend = await createNodeBackend({ profile: "tiny" });
  const evalDir = createRunDir({ stage: "geometry", outDir: join(results, "runs", "eval", "geometry") });
  writePngs(join(evalDir, "renders"), 3, { size: 224 });
  writeManifest(evalDir, { stage: "geometry", config: {}, seeds: {}, profile: "tiny", inputs: { prompt: "the realistic face of a bench" } });
  const images = listPngs(join(evalDir, "renders")).map(readImage);
  const ids = tokenize("the realistic face of a bench");
  const evalTime = await time("evaluateRun (3 renders)", () => evaluateRun(evalDir, { backend }), { runs: 10 });
  const peerEval = await time("clipScoreOfImages in memory", () => clipScoreOfImages(backend, images, ids), { runs: 10 });
  await backend.dispose();

  const lines = [
    ratioLine(`index build, ${RUNS} runs × ${ROWS} rows`, build, peerRead),
    ratioLine("per-run minimum loss", query, peerQuery),
    ratioLine("CLIP score of a run (tiny profile — test signal, not a face)", evalTime, peerEval),
  ];
  report("evaluation", { runs: RUNS, rowsPerRun: ROWS, timings: [build, peerRead, query, peerQuery, evalTime, peerEval], lines });
} finally {
  rmSync(results, { recursive: true, force: true });
}
