// `dreamface sweep`: the grid, validated up front; shards split it like `pool build` with no
// coordination; sharded and unsharded sweeps of the same tiny grid give identical metric
// tables in the merged DuckDB; a stopped sweep resumes, skipping finished cells.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { buildPool } from "../geometry/pool-build.js";
import { ensureTinyModels } from "../models/ensure-tiny.js";
import { createNodeBackend } from "../models/backend-node.js";
import { queryIndex } from "../evaluation/index-runs.js";
import { mergeSweeps } from "./merge.js";
import { runSweep } from "./run.js";
import { loadSweepFile } from "./files.js";
import { parseSweep, shardCells, sweepCells } from "../../src/engine/config/sweep.js";
import { cliPath, runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";

const tmp = tempDir("dreamface-sweep-");
const small = {
  geometry: { carving: { steps: 2, renderSize: 32, normalMapSize: 16 }, hair: { enabled: false } },
  texture: { latent: { steps: 1, renderSize: 32 }, image: { steps: 1, renderSize: 32 }, pbr: { size: 32, glbTextureSize: 32 } },
};
const tinySweep = { kind: "sweep", name: "tiny-grid", template: "the realistic face of {name}", prompts: ["Ada Lovelace", "Alan Turing"], variants: ["full", "wo-lt"], seeds: [3], profile: "tiny", base: small };

test("the Fig. 18 sweep file: 10 characters × full / wo-texture / wo-lt × ≥ 3 seeds, the paper's template", () => {
  const { sweep } = loadSweepFile(join(import.meta.dirname, "..", "..", "experiments", "clip-score-fig18.json"));
  assert.equal(sweep.prompts.length, 10);
  assert.deepEqual(sweep.variants, ["full", "wo-texture", "wo-lt"]);
  assert.ok(sweep.seeds.length >= 3);
  const cells = sweepCells(sweep);
  assert.equal(cells.length, 10 * 3 * sweep.seeds.length);
  assert.equal(cells[0]!.prompt, "the realistic face of Albert Einstein");
  assert.equal(cells[0]!.experiment.texture.variant, "full");
});

test("grid: prompts × grid values × variants × seeds; cell experiments carry the values; shards partition it", () => {
  const sweep = parseSweep({ ...tinySweep, seeds: [0, 1], grid: { "texture.lambdaTexture": [0.5, 2], "geometry.carving.steps": [1] } });
  const cells = sweepCells(sweep);
  assert.equal(cells.length, 2 * 2 * 2 * 2);
  const c = cells.find((x) => x.params["texture.lambdaTexture"] === 2 && x.variant === "wo-lt" && x.seed === 1)!;
  assert.equal(c.experiment.texture.lambdaTexture, 2);
  assert.equal(c.experiment.geometry.carving.steps, 1);
  assert.equal(c.experiment.geometry.carving.renderSize, 32, "the base stays under the grid values");
  assert.equal(c.experiment.seed, 1);
  assert.match(c.id, /^p00-ada-lovelace-wo-lt-s1-g1$/);
  const shards = [0, 1, 2].map((i) => shardCells(cells, { index: i, count: 3 }).map((x) => x.index));
  assert.deepEqual(shards.flat().sort((a, b) => a - b), cells.map((x) => x.index));
  assert.deepEqual(shards[1], [1, 4, 7, 10, 13]);
});

test("bad sweep files fail before any work with one line naming the field (exit 2)", () => {
  assert.throws(() => parseSweep({ ...tinySweep, grid: { "texture.lambdaTexture": [1, -1] } }), /cell p00-ada-lovelace-full-s3-g1: texture.lambdaTexture: must not take negative values/);
  assert.throws(() => parseSweep({ ...tinySweep, variants: ["nope"] }), /variants.0/);
  assert.throws(() => parseSweep({ ...tinySweep, grid: { "render.size": [1] } }), /grid.render.size|dotted path/);
  assert.throws(() => parseSweep({ ...tinySweep, template: "face" }), /template: must contain \{name\}/);
  assert.throws(() => parseSweep({ ...tinySweep, extra: 1 }), /extra|Unrecognized/);
  const file = join(tmp, "bad.json");
  writeFileSync(file, JSON.stringify({ ...tinySweep, seeds: [] }));
  const out = join(tmp, "bad-out");
  const r = runCli(["sweep", file, "--out", out]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /seeds/);
  assert.ok(!existsSync(out), "nothing written");
  assert.equal(runCli(["sweep", file, "--shard", "2/2"]).status, 2);
});

test("sharded (2 shards) and unsharded sweeps give identical metric tables; a stopped shard resumes skipping done cells", async () => {
  await ensureTinyModels();
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 1, profile: "tiny", quiet: true });
  const file = join(tmp, "tiny-grid.json");
  writeFileSync(file, JSON.stringify(tinySweep));
  const backend = await createNodeBackend({ profile: "tiny" });
  try {
    const whole = join(tmp, "whole"), split = join(tmp, "split");
    const a = await runSweep({ file, out: whole, pool, backend, quiet: true });
    assert.deepEqual([a.cells, a.ran, a.complete], [4, 4, true]);
    // Shard 1 of 2 stops after one cell (a kill), resumes, and runs only the odd cells.
    const s1 = await runSweep({ file, out: split, pool, backend, quiet: true, shard: { index: 1, count: 2 }, stopAfter: 1 });
    assert.deepEqual([s1.cells, s1.ran, s1.complete], [2, 1, false]);
    const s1b = await runSweep({ file, out: split, pool, backend, quiet: true, shard: { index: 1, count: 2 } });
    assert.deepEqual([s1b.skipped, s1b.ran, s1b.complete], [1, 1, true]);
    await runSweep({ file, out: split, pool, backend, quiet: true, shard: { index: 0, count: 2 } });
    assert.deepEqual(readdirSync(join(split, "cells")).sort(), readdirSync(join(whole, "cells")).sort());

    const results = join(tmp, "results");
    const tables = async (dir: string) => {
      const m = await mergeSweeps({ dirs: [dir], results, out: join(tmp, `${dir.split("/").at(-1)}.duckdb`) });
      assert.deepEqual(m.sweeps.map((s) => [s.done, s.total]), [[4, 4]]);
      const cells = await queryIndex(m.path, "SELECT cell, idx, name, prompt, variant, seed, params, clip_score, text, profile, label FROM sweep_cells ORDER BY idx");
      const summary = await queryIndex(m.path, "SELECT variant, params, prompts, seeds, clip_mean, cells FROM sweep_summary ORDER BY variant");
      return { cells, summary };
    };
    const t1 = await tables(whole), t2 = await tables(split);
    assert.equal(t1.cells.length, 4);
    assert.ok(t1.cells.every((c) => Number.isFinite(c.clip_score as number) && String(c.label).includes("test signal")), JSON.stringify(t1.cells));
    assert.equal(t1.cells[0]!.text, "the realistic face of Ada Lovelace");
    assert.deepEqual(t2, t1);
    assert.deepEqual(t1.summary.map((r) => [r.variant, r.prompts, r.seeds, r.cells]), [["full", 2, 1, 2], ["wo-lt", 2, 1, 2]]);

    // kill -9 in the middle of the second cell, then the same command: the first cell is
    // skipped, the second resumes inside its generate run, and both scores equal the
    // uninterrupted sweep's.
    const killFile = join(tmp, "kill.json");
    writeFileSync(killFile, JSON.stringify({ ...tinySweep, variants: ["wo-lt"] }));
    const killed = join(tmp, "killed");
    const args = [cliPath, "sweep", killFile, "--out", killed, "--pool", pool];
    const child = spawn(process.execPath, args, { stdio: "ignore" });
    const firstDone = join(killed, "cells", "p00-ada-lovelace-wo-lt-s3", "cell.json");
    const second = join(killed, "cells", "p01-alan-turing-wo-lt-s3", "geometry", "checkpoints");
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(firstDone) && existsSync(second) && readdirSync(second).length > 0) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 50);
      child.on("exit", () => {
        clearInterval(timer);
        reject(new Error("the sweep finished before it could be killed mid-cell"));
      });
    });
    await new Promise((r) => child.once("close", r));
    assert.ok(!existsSync(join(killed, "cells", "p01-alan-turing-wo-lt-s3", "cell.json")), "killed before the second cell finished");
    const again = runCli(["sweep", killFile, "--out", killed, "--pool", pool]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /2 cell\(s\) in this shard, 1 done before/);
    for (const id of ["p00-ada-lovelace-wo-lt-s3", "p01-alan-turing-wo-lt-s3"]) {
      const score = (dir: string) => JSON.parse(readFileSync(join(dir, "cells", id, "cell.json"), "utf8")).clip_score;
      assert.equal(score(killed), score(whole), id);
    }

    // The same folder refuses another grid.
    writeFileSync(file, JSON.stringify({ ...tinySweep, seeds: [4] }));
    await assert.rejects(runSweep({ file, out: whole, pool, backend, quiet: true }), /holds the sweep "tiny-grid".*other settings/);
  } finally {
    await backend.dispose();
  }
});
