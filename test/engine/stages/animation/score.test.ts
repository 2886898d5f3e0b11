import { test } from "node:test";
import assert from "node:assert/strict";
import { median, scoreFrame } from "../../../../src/engine/stages/animation/score.js";

test("scoreFrame: driven errors, the largest spurious weight, gaze excluded", () => {
  const names = ["jawOpen", "mouthSmile_L", "eyeLookUp_L", "mouthPucker"];
  const s = scoreFrame(names, [0.8, 0, 0, 0], [0.6, 0.3, 0.9, 0.1]);
  assert.deepEqual(Object.keys(s.driven), ["jawOpen"]);
  assert.ok(Math.abs(s.driven.jawOpen! - 0.2) < 1e-6);
  assert.equal(s.spurious.name, "mouthSmile_L");
  assert.ok(Math.abs(s.meanAbs - 0.2) < 1e-6); // (0.2 + 0.3 + 0.1) / 3, gaze left out
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});
