// The Reproduction page's loader: the newest well-formed kid.json (fixture in the issue's
// shape) beside the paper's constants; the Fig. 18 sweep's rows as mean ± CI over seeds; the
// paper's values come from the constants, not from any file. The comparison payload: flattened
// configs whose differences the page lists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reproductionPayload, kidFileProblem } from "./reproduction.js";
import { comparePayload } from "./compare.js";
import { PAPER_FIG13_KID, PAPER_FIG18_CLIP } from "../../src/engine/evaluation/paper.js";
import { configDiff, flatten } from "../../src/engine/util/config-diff.js";
import { encodePng8 } from "../io/png.js";
import { TINY_LABEL } from "../run/index.js";
import { tempDir } from "../../test/helpers/tmp.js";

const fixture = join(import.meta.dirname, "..", "..", "test", "fixtures", "reproduction", "kid.json");

test("no results: the page gets the paper's tables and no measurement of ours", () => {
  const p = reproductionPayload(tempDir("dreamface-repro-empty-"));
  assert.equal(p.fig13.source, null);
  assert.deepEqual(p.fig13.rows.map((r) => [r.variant, r.ours, r.paper]), Object.entries(PAPER_FIG13_KID).map(([v, x]) => [v, null, x]));
  assert.equal(p.fig18.source, null);
  assert.deepEqual(p.fig18.paper.map((r) => [r.method, r.clipScore]), [["Text2Mesh", 0.2109], ["AvatarCLIP", 0.2812], ["Stable-DreamFusion", 0.2594], ["DreamFace", 0.2934]]);
  assert.deepEqual(PAPER_FIG18_CLIP.map((r) => r.time), ["~15 min", "~5 h", "~2.5 h", "~5 min"]);
});

test("Fig. 13: the newest well-formed kid.json, its sample grids, labelled as a test signal; paper values from the constants", () => {
  const results = tempDir("dreamface-repro-kid-");
  const root = join(results, "ablations", "texture-ldm");
  const older = join(root, "older"), newer = join(root, "newer"), broken = join(root, "broken");
  for (const d of [older, newer, broken]) mkdirSync(d, { recursive: true });
  const k = JSON.parse(readFileSync(fixture, "utf8"));
  writeFileSync(join(older, "kid.json"), JSON.stringify({ ...k, variants: { ...k.variants, full: { full: { mean: 9, std: 0 }, desired: { mean: 9, std: 0 } } } }));
  cpSync(fixture, join(newer, "kid.json"));
  // A file that lies about the paper's numbers changes nothing: they are constants.
  writeFileSync(join(newer, "kid.json"), JSON.stringify({ ...k, paper: { full: { full: 1, desired: 1 } } }));
  writeFileSync(join(newer, "samples-full.png"), encodePng8(new Float32Array(4 * 4 * 3).fill(0.5), 4, 4));
  writeFileSync(join(broken, "kid.json"), JSON.stringify({ protocol: {}, variants: { full: { full: 0.1 } } }));
  const t = Date.now() / 1000;
  utimesSync(join(older, "kid.json"), t - 100, t - 100);
  utimesSync(join(newer, "kid.json"), t - 50, t - 50);
  utimesSync(join(broken, "kid.json"), t, t);
  const p = reproductionPayload(results).fig13;
  assert.equal(p.source, "ablations/texture-ldm/newer/kid.json");
  assert.equal(p.label, TINY_LABEL);
  assert.match(p.skipped[0]!, /broken.*variant full lacks full\/desired/);
  const full = p.rows.find((r) => r.variant === "full")!;
  assert.deepEqual(full.ours, { full: { mean: 0.0188, std: 0.001 }, desired: { mean: 0.0101, std: 0.0015 } });
  assert.deepEqual(full.paper, { full: 0.2125, desired: 0.0578 });
  assert.match(String(p.samples?.full), /^data:image\/png;base64,/);
  assert.equal((p.protocol as { samples: number }).samples, 64);
  assert.equal(kidFileProblem(k), undefined);
  assert.match(String(kidFileProblem({ protocol: {} })), /no variants/);
});

test("Fig. 18: the newest clip-score-fig18 sweep as mean ± 95% CI over seeds with time per asset; compare lists its cells", async () => {
  const results = tempDir("dreamface-repro-sweep-");
  const dir = join(results, "sweeps", "clip-score-fig18");
  const sweep = { kind: "sweep", name: "clip-score-fig18", template: "the realistic face of {name}", prompts: ["A", "B"], variants: ["full"], seeds: [0, 1, 2], profile: "tiny", scoreTemplate: "{prompt}", base: {}, grid: {} };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "sweep.json"), JSON.stringify({ kind: "dreamface-sweep", sha256: "f".repeat(64), source: "experiments/clip-score-fig18.json", sweep }));
  const scores: Record<number, [number, number]> = { 0: [0.1, 0.3], 1: [0.2, 0.4], 2: [0.3, 0.5] };
  let index = 0;
  for (const name of ["A", "B"])
    for (const seed of [0, 1, 2]) {
      const cell = `p0${name === "A" ? 0 : 1}-${name.toLowerCase()}-full-s${seed}`;
      mkdirSync(join(dir, "cells", cell), { recursive: true });
      writeFileSync(join(dir, "cells", cell, "cell.json"), JSON.stringify({ kind: "dreamface-sweep-cell", sweep: "clip-score-fig18", cell, index: index++, name, prompt: `the realistic face of ${name}`, variant: "full", seed, params: {}, clip_score: scores[seed]![name === "A" ? 0 : 1], text: "x", seconds: 30, profile: "tiny", label: TINY_LABEL }));
    }
  const p = reproductionPayload(results).fig18;
  assert.equal(p.source, "sweeps/clip-score-fig18");
  assert.equal(p.label, TINY_LABEL);
  assert.equal(p.rows.length, 1);
  const row = p.rows[0]!;
  // Seed means 0.2, 0.3, 0.4: mean 0.3, sd 0.1, CI = 4.303 · 0.1 / √3.
  assert.ok(Math.abs(row.clip.mean! - 0.3) < 1e-12);
  assert.ok(Math.abs(row.clip.ci95! - (4.303 * 0.1) / Math.sqrt(3)) < 1e-9);
  assert.equal(row.clip.n, 3);
  assert.equal(row.seconds.mean, 30);
  assert.deepEqual([p.protocol!.cellsDone, p.protocol!.cellsTotal, p.protocol!.sha256], [6, 6, "f".repeat(64)]);

  const c = await comparePayload(results);
  assert.equal(c.items.length, 6);
  assert.deepEqual(c.items[0]!.metrics, { clip_score: 0.1, seconds: 30 });
});

test("configDiff lists only the settings that differ (absent counts), over flattened configs", () => {
  const a = flatten({ seed: 1, texture: { lambdaTexture: 1, latent: { steps: 4 } }, geometry: { schedule: [0, 1, 2, 3] } });
  const b = flatten({ seed: 1, texture: { lambdaTexture: 2, latent: { steps: 4 } }, geometry: { schedule: [0, 1, 2, 4] }, extra: true });
  assert.deepEqual(Object.keys(a), ["seed", "texture.lambdaTexture", "texture.latent.steps", "geometry.schedule"]);
  assert.deepEqual(configDiff([a, b]), ["extra", "geometry.schedule", "texture.lambdaTexture"]);
  assert.deepEqual(configDiff([a, a]), []);
});
