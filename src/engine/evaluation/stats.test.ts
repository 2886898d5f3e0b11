import { test } from "node:test";
import assert from "node:assert/strict";
import { meanCI95, tQuantile975 } from "./stats.js";
import { summarizeCells } from "./sweep-summary.js";

test("meanCI95: Student t half-width over seeds (hand-computed), NaN interval for one value", () => {
  const r = meanCI95([1, 2, 3]);
  assert.equal(r.mean, 2);
  assert.equal(r.sd, 1);
  assert.ok(Math.abs(r.ci95 - 4.303 / Math.sqrt(3)) < 1e-12, String(r.ci95));
  assert.equal(tQuantile975(1), 12.706);
  assert.ok(Math.abs(meanCI95([0.2, 0.3]).ci95 - 12.706 * Math.SQRT1_2 * 0.1 / Math.SQRT2) < 1e-9);
  const one = meanCI95([0.5]);
  assert.equal(one.mean, 0.5);
  assert.ok(Number.isNaN(one.ci95));
});

test("summarizeCells: prompt-set mean per seed, then mean ± CI over seeds; a seed missing a prompt is left out", () => {
  const cell = (name: string, seed: number, clip: number, variant = "full") => ({ name, seed, variant, params: {}, clip_score: clip, seconds: 10 });
  const rows = summarizeCells([cell("a", 0, 0.2), cell("b", 0, 0.4), cell("a", 1, 0.4), cell("b", 1, 0.6), cell("a", 2, 0.9), cell("a", 0, 0.1, "wo-lt")]);
  const full = rows.find((r) => r.variant === "full")!;
  assert.equal(full.prompts, 2);
  assert.equal(full.clip.n, 2, "seed 2 has only prompt a");
  assert.ok(Math.abs(full.clip.mean - 0.4) < 1e-12);
  assert.equal(full.cells, 5);
  assert.equal(rows.find((r) => r.variant === "wo-lt")!.clip.mean, 0.1);
});
