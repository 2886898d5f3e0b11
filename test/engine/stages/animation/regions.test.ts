import { test } from "node:test";
import assert from "node:assert/strict";
import { MEDIAPIPE_REGIONS, regionWeights } from "../../../../src/engine/stages/animation/regions.js";

test("regionWeights: lips and eyelids 3, brows 2, face oval 0.25, the rest 1; regions do not overlap", () => {
  const w = regionWeights();
  assert.equal(w.length, 468);
  assert.equal(w[13], 3); // upper inner lip
  assert.equal(w[159], 3); // right upper eyelid
  assert.equal(w[105], 2); // right brow
  assert.equal(w[152], 0.25); // chin, on the face oval
  assert.equal(w[1], 1); // nose tip
  const all = Object.values(MEDIAPIPE_REGIONS).flat();
  assert.equal(new Set(all).size, all.length);
});
