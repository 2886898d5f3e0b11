// The pool build survives kill -9 (resumes with nothing lost or duplicated, byte-identical to an
// uninterrupted build), shards partition the work, and merge/rank agree with the engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { mergePool } from "../../../data-loaders/geometry/pool-merge.js";
import { loadPool } from "../../../data-loaders/geometry/pool-read.js";
import { parseShard, shardChunks } from "../../../data-loaders/geometry/pool-files.js";
import { candidateBeta } from "../../../src/engine/stages/geometry/candidates.js";
import { killCliWhen, runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

const SIZE = "10", CHUNK = "3"; // 4 chunks, the last one partial
const tmp = tempDir("dreamface-pool-test-");

function build(out: string, extra: string[] = []) {
  const r = runCli(["pool", "build", "--size", SIZE, "--chunk-size", CHUNK, "--seed", "7", "--out", out, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const chunkFiles = (dir: string) => readdirSync(join(dir, "chunks")).filter((f) => f.endsWith(".parquet")).sort();

test("a pool build killed with SIGKILL after its first chunk resumes to the uninterrupted result", async () => {
  const whole = join(tmp, "whole"), killed = join(tmp, "killed");
  build(whole);
  assert.deepEqual(chunkFiles(whole), ["chunk-000000.parquet", "chunk-000001.parquet", "chunk-000002.parquet", "chunk-000003.parquet"]);

  const first = join(killed, "chunks", "chunk-000000.parquet");
  await killCliWhen(["pool", "build", "--size", SIZE, "--chunk-size", CHUNK, "--seed", "7", "--out", killed], () => existsSync(first), "the build");
  const before = chunkFiles(killed);
  assert.ok(before.length >= 1 && before.length < 4, `killed after ${before.length} chunk(s)`);
  const resumed = build(killed);
  assert.match(resumed.stdout, new RegExp(`${before.length} already done`));
  assert.deepEqual(chunkFiles(killed), chunkFiles(whole));
  for (const f of chunkFiles(whole)) assert.ok(readFileSync(join(whole, "chunks", f)).equals(readFileSync(join(killed, "chunks", f))), `${f} differs`);
  assert.ok(readFileSync(join(whole, "anchors.json")).equals(readFileSync(join(killed, "anchors.json"))));
  // No stray temporary files from the killed write.
  assert.deepEqual(readdirSync(join(killed, "chunks")).filter((f) => f.startsWith(".")), []);
});

test("shards partition the chunks and together equal the whole build", async () => {
  const sharded = join(tmp, "sharded");
  const opts = { out: sharded, size: Number(SIZE), chunkSize: Number(CHUNK), seed: 7, quiet: true };
  await buildPool({ ...opts, shard: { index: 1, count: 2 } });
  assert.deepEqual(chunkFiles(sharded), ["chunk-000001.parquet", "chunk-000003.parquet"]);
  await buildPool({ ...opts, shard: { index: 0, count: 2 } });
  for (const f of chunkFiles(join(tmp, "whole"))) assert.ok(readFileSync(join(tmp, "whole", "chunks", f)).equals(readFileSync(join(sharded, "chunks", f))), `${f} differs`);
  assert.deepEqual(shardChunks({ size: 10, chunkSize: 3 }, parseShard("1/2")), [1, 3]);
  assert.throws(() => parseShard("2/2"), /0 ≤ i < n/);
  assert.throws(() => parseShard("x"), /i\/n/);
});

test("a mismatched rebuild into an existing pool is refused with the reason", async () => {
  await assert.rejects(buildPool({ out: join(tmp, "whole"), size: Number(SIZE), chunkSize: Number(CHUNK), seed: 8, quiet: true }), (e: Error) => e instanceof UserError && /built with seed = 7, not 8/.test(e.message));
  await assert.rejects(buildPool({ out: join(tmp, "x"), size: 0, seed: 1 }), /--size must be a positive integer/);
});

test("merge writes a DuckDB table and raw arrays that hold the candidates in order", async () => {
  const dir = join(tmp, "whole");
  const fromChunks = await loadPool(dir);
  await mergePool(dir);
  const merged = await loadPool(dir);
  assert.deepEqual(merged.embeddings, fromChunks.embeddings);
  assert.deepEqual(merged.betas.subarray(300, 400), candidateBeta(7, 3));
  const inWasm = await loadPool(dir, { wasm: true });
  assert.ok(inWasm.wasm, "merged pool read straight into shared WebAssembly memory");
  assert.deepEqual(inWasm.embeddings, fromChunks.embeddings);
  const db = await DuckDBInstance.create(join(dir, "merged", "pool.duckdb"));
  const con = await db.connect();
  const rows = (await con.runAndReadAll("SELECT count(*), min(id), max(id), count(DISTINCT id) FROM candidates")).getRows()[0]!.map(Number);
  assert.deepEqual(rows, [10, 0, 9, 10]);
  const anchors = (await con.runAndReadAll("SELECT name FROM anchors ORDER BY name")).getRows().map((r) => r[0]);
  assert.deepEqual(anchors, ["mean mesh", "the face"]);
  con.closeSync();
  db.closeSync();
});

test("pool rank prints the top k by Eq. 3 and labels tiny-profile output", () => {
  const r = runCli(["pool", "rank", "a round face", "--pool", join(tmp, "whole"), "--k", "3", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { label: string; top: { index: number; score: number; sd: number; sr: number }[] };
  assert.equal(out.label, "tiny profile — test signal, not a face");
  assert.equal(out.top.length, 3);
  assert.ok(out.top[0]!.score >= out.top[1]!.score && out.top[1]!.score >= out.top[2]!.score);
  for (const c of out.top) assert.ok(Math.abs(c.score - (c.sd + c.sr)) < 1e-5);
  const bad = runCli(["pool", "rank", "x", "--pool", join(tmp, "nowhere")]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no candidate pool at .*nowhere/);
});
