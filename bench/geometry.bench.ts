// Ranking (paper Eq. 3) over a pool of random unit 768-d embeddings, against DuckDB on the same
// rows in the same run: DuckDB's array_inner_product … ORDER BY … LIMIT (multi-threaded,
// vectorized) vs our fused two-dot-product pass + heap top-k — the JS kernel on one thread,
// the WebAssembly SIMD kernel on one thread, and the SIMD kernel split over worker threads.
// The pool-only terms (1/‖e‖, 1/‖ẽ − ã‖) are computed once per pool on both sides.
// GEOMETRY_BENCH_N overrides the pool size (default 1,000,000).
import { DuckDBInstance } from "@duckdb/node-api";
import { time, report, ratioLine } from "./lib.js";
import { poolStats, prepareQuery, scoreParts, combineScores, topK, unit } from "../src/engine/stages/geometry/rank.js";
import { WasmPool } from "../src/engine/stages/geometry/rank-wasm.js";
import { ParallelRanker } from "../data-loaders/geometry/rank-parallel.js";
import { loadEmbeddingTable } from "../data-loaders/geometry/duckdb-embeddings.js";
import { Rng } from "../src/engine/util/rng.js";

const N = Number(process.env.GEOMETRY_BENCH_N ?? 1_000_000);
const D = 768, K = 10, lambdaD = 1, lambdaR = 1;

// Generated straight into shared WebAssembly memory: one 3 GB copy of the pool, not two.
const tGen = performance.now();
const wp = WasmPool.allocate(N, D, { shared: true });
const pool = wp.rows();
const rng = new Rng(1);
for (let i = 0; i < N; i++) {
  const row = pool.subarray(i * D, (i + 1) * D);
  let s = 0;
  for (let j = 0; j < D; j++) s += (row[j] = rng.uniform() - 0.5) ** 2;
  const inv = 1 / Math.sqrt(s);
  for (let j = 0; j < D; j++) row[j]! *= inv;
}
const anchors = { meshImage: unit(rng.normals(D)), text: unit(rng.normals(D)) };
const prompt = unit(rng.normals(D));
console.log(`generated ${N} × ${D} unit embeddings in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);

const tStats = performance.now();
const stats = poolStats(pool, D, anchors.meshImage);
const statsMs = performance.now() - tStats;
const query = prepareQuery(prompt, anchors);
const parts = { sd: new Float32Array(N), sr: new Float32Array(N) };

let oursJs: ReturnType<typeof topK> | undefined;
const js1 = await time("ours JS kernel (1 thread)", () => {
  scoreParts(pool, D, stats, query, parts);
  oursJs = topK(combineScores(parts, lambdaD, lambdaR), K);
}, { runs: 3, warmup: 1 });

let oursWasm: ReturnType<typeof topK> | undefined;
const wasm1 = await time("ours SIMD kernel (1 thread)", () => {
  wp.scoreParts(stats, query, parts);
  oursWasm = topK(combineScores(parts, lambdaD, lambdaR), K);
}, { runs: 5, warmup: 1 });

const ranker = await ParallelRanker.create(wp, D, anchors.meshImage);
let oursPar: ReturnType<typeof topK> | undefined;
const par = await time(`ours SIMD kernel (${ranker.threads} threads)`, async () => {
  oursPar = await ranker.rank(prompt, anchors, { lambdaD, lambdaR, k: K });
}, { runs: 5, warmup: 1 });
await ranker.close();

const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
const tLoad = performance.now();
await loadEmbeddingTable(con, "pool", pool, D);
const loadMs = performance.now() - tLoad;
const lit = (v: Float32Array) => `[${Array.from(v, (x) => x.toPrecision(9)).join(",")}]::FLOAT[${D}]`;
let ad = 0;
let aa = 0;
for (let j = 0; j < D; j++) {
  ad += stats.anchor[j]! * query.textDelta[j]!;
  aa += stats.anchor[j]! ** 2;
}
// Eq. 3's order: ‖e − ē‖² = e·e − 2·e·ē + ē·ē on the raw embeddings.
await con.run(`CREATE TABLE stats AS SELECT id, 1.0 / sqrt(greatest(array_inner_product(embedding, embedding) - 2 * array_inner_product(embedding, ${lit(stats.anchor)}) + ${aa}, 1e-12)) AS inv_delta FROM pool`);
const sql = `SELECT p.id, ${lambdaD} * array_inner_product(p.embedding, ${lit(query.textUnit)})
  + ${lambdaR} * (array_inner_product(p.embedding, ${lit(query.textDelta)}) - ${ad}) * s.inv_delta AS score
  FROM pool p JOIN stats s USING (id) ORDER BY score DESC LIMIT ${K}`;
let duckTop: number[] = [];
const duck = await time("duckdb", async () => {
  duckTop = (await con.runAndReadAll(sql)).getRows().map((row) => Number(row[0]));
}, { runs: 3, warmup: 1 });
con.closeSync();
db.closeSync();

const same = (a: ReturnType<typeof topK> | undefined) => Array.from(a!.index).every((v, i) => v === oursJs!.index[i]);
const agree = duckTop.filter((id) => Array.from(oursJs!.index).includes(id)).length;
console.log(`top-${K} agreement with DuckDB: ${agree}/${K}; SIMD = JS: ${same(oursWasm)}; threads = JS: ${same(oursPar)}`);
const lines = [
  ratioLine(`rank ${N}×${D}, JS kernel, 1 thread`, js1, duck),
  ratioLine(`rank ${N}×${D}, SIMD kernel, 1 thread`, wasm1, duck),
  ratioLine(`rank ${N}×${D}, SIMD kernel, ${ranker.threads} threads`, par, duck),
];
report("geometry", {
  pool: { n: N, dim: D, k: K },
  timings: { js1, wasm1, parallel: par, duckdb: duck },
  poolStatsMs: statsMs,
  duckdbLoadMs: loadMs,
  topKAgreementWithDuckdb: agree,
  simdMatchesJs: same(oursWasm),
  threadsMatchJs: same(oursPar),
  lines,
});
if (agree < K - 1 || !same(oursWasm) || !same(oursPar)) {
  console.error("rankings disagree: check the kernels");
  process.exit(1);
}
