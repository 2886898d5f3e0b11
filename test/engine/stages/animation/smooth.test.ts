import { test } from "node:test";
import assert from "node:assert/strict";
import { OneEuroFilter } from "../../../../src/engine/stages/animation/smooth.js";
import { Rng } from "../../../../src/engine/util/rng.js";

test("OneEuroFilter damps jitter on a still signal and follows a step", () => {
  const rng = new Rng(4);
  const filter = new OneEuroFilter({ minCutoff: 1, beta: 0.5 });
  let rawVar = 0, outVar = 0;
  for (let i = 0; i < 300; i++) {
    const noise = rng.normal() * 0.05;
    const out = filter.filter([0.5 + noise], i / 30)[0]!;
    if (i > 30) { rawVar += noise ** 2; outVar += (out - 0.5) ** 2; }
  }
  assert.ok(outVar < rawVar / 4, `smoothed variance ${outVar} vs raw ${rawVar}`);
  let last = 0;
  for (let i = 300; i < 360; i++) last = filter.filter([1], i / 30)[0]!; // 2 s after a step to 1
  assert.ok(Math.abs(last - 1) < 0.01, `after the step: ${last}`);
});
