import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAnimationConfig } from "../../../../src/engine/stages/animation/config.js";

test("parseAnimationConfig fills defaults", () => {
  const c = parseAnimationConfig({});
  assert.equal(c.path, "blendshape");
  assert.equal(c.dims, 2);
  assert.equal(c.fit.identityModes, 30);
  assert.equal(c.fit.identityFrames, 5, "identity over the first 5 frames (FIT_DEFAULTS)");
  assert.deepEqual(c.smoothing, { minCutoff: 1.5, beta: 0.5, derivativeCutoff: 1 });
});

test("parseAnimationConfig names the bad field", () => {
  assert.throws(() => parseAnimationConfig({ dims: 4 }), /animation config: dims/);
  assert.throws(() => parseAnimationConfig({ fit: { tikhonov: -1 } }), /fit\.tikhonov/);
  assert.throws(() => parseAnimationConfig({ fit: { identityFrames: 0 } }), /fit\.identityFrames/);
  assert.throws(() => parseAnimationConfig({ fit: { identityFrames: 2.5 } }), /fit\.identityFrames/);
  assert.throws(() => parseAnimationConfig({ nope: 1 }), /Unrecognized key/);
});
