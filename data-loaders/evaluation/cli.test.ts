import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { TINY_LABEL } from "../run/index.js";
import { tempResults, writeFakeRuns } from "./fixtures.test-helpers.js";
import { runCliAsync } from "../../test/helpers/cli.js";

const results = tempResults();
const { geometry } = writeFakeRuns(results);

async function dreamface(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCliAsync(args, { DREAMFACE_RESULTS_DIR: results, DREAMFACE_SD15_DIR: join(results, "no-sd15") });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("dreamface eval MISSING_DIR exits 2 naming the folder", async () => {
  const r = await dreamface("eval", join(results, "no-such-run"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^dreamface: run folder not found: .*no-such-run/);
});

test("dreamface eval kid with a missing folder or a bad --subsets exits 2", async () => {
  const missing = await dreamface("eval", "kid", join(results, "a"), join(results, "b"));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /dreamface: image folder not found: .*[/]a\b/);
  const bad = await dreamface("eval", "kid", geometry, geometry, "--subsets", "zero");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--subsets must be a positive integer/);
});

test("dreamface eval RUN_DIR (a run folder) scores its stages, labels tiny output and writes metrics.json", async () => {
  const r = await dreamface("eval", join(results, "runs", "run-a"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /CLIP score -?\d\.\d{4} over 3 images \(renders\)/);
  assert.ok(r.stdout.includes(`[${TINY_LABEL}]`));
  assert.ok(existsSync(join(geometry, "metrics.json")));
});

test("dreamface runs --json lists the indexed runs; runs index rebuilds the index", async () => {
  const idx = await dreamface("runs", "index");
  assert.equal(idx.code, 0, idx.stderr);
  assert.match(idx.stdout, /indexed 2 run stage\(s\), 8 trajectory rows/);
  const r = await dreamface("runs", "--json");
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { key: string; label: string; clip_score: number | null }[];
  assert.deepEqual(rows.map((x) => x.key), ["run-a/geometry", "run-b/texture"]);
  assert.ok(rows.every((x) => x.label === TINY_LABEL));
  const table = await dreamface("runs", "--stage", "texture");
  assert.match(table.stdout, /run-b\/texture \*/);
  assert.doesNotMatch(table.stdout, /run-a/);
  assert.ok(table.stdout.includes(`* ${TINY_LABEL}`));
});

test("dreamface eval kid --json/--profile reach the kid subcommand; a missing model exits 2", async () => {
  const renders = join(geometry, "renders");
  const ok = await dreamface("eval", "kid", renders, renders, "--subsets", "3", "--no-save", "--json");
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { kind: string; subsets: number; values: number[]; label: string };
  assert.deepEqual([report.kind, report.subsets, report.values.length, report.label], ["dreamface-kid", 3, 3, TINY_LABEL]);
  const missing = await dreamface("eval", "kid", renders, renders, "--profile", "sd15", "--no-save");
  assert.equal(missing.code, 2);
  // No kid_features model: KID is unavailable, said in one line with what to install, before any image is read.
  assert.match(missing.stderr, /^dreamface: the sd15 profile cannot run \[evaluation\] KID \(kid_features missing in .*\): unavailable — install an Inception-v3 pool3 ONNX/);
  assert.equal(missing.stderr.trim().split("\n").length, 1);
});
