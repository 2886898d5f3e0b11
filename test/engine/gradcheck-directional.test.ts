// The one finite-difference checker (test/helpers/gradcheck.ts) serves the ONNX op checks too:
// float64 inputs, single-coordinate probes after the random directions, unnormalised N(0, I)
// directions, per-input probe counts, and a raw error beside the rounding-adjusted one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe, gradcheckDirectional } from "../helpers/gradcheck.js";

// f(a, b) = [a₀·b₀, a₁², sin(b₁)], in float64.
const forward = (x: Record<string, Float64Array>) => ({ out: Float64Array.of(x.a![0]! * x.b![0]!, x.a![1]! ** 2, Math.sin(x.b![1]!)) });
const backward = (x: Record<string, Float64Array>, w: Float32Array) => ({
  a: Float64Array.of(w[0]! * x.b![0]!, 2 * w[1]! * x.a![1]!),
  b: Float64Array.of(w[0]! * x.a![0]!, w[2]! * Math.cos(x.b![1]!)),
});
const inputs = () => ({ a: Float64Array.of(0.7, -1.3), b: Float64Array.of(2.1, 0.4) });
const options = { eps: 1e-5, tol: 1e-6, directions: 2, coordinates: 3, normalize: false, floor: 1 };

test("gradcheckDirectional: float64 inputs, directions then single coordinates, every input counted", async () => {
  const r = await gradcheckDirectional(forward, backward, inputs(), options);
  assert.ok(r.ok, describe(r));
  assert.deepEqual(r.perInput, { a: 5, b: 5 });
  assert.equal(r.probes.filter((p) => p.index >= 0).length, 6, "three single-coordinate probes per input");
  for (const p of r.probes) assert.ok(p.rawRelError >= p.relError, "the raw error has no rounding allowance");
});

test("gradcheckDirectional: a wrong coordinate, or one input's gradient zeroed, fails; zeroOk exempts only a true zero", async () => {
  const wrong = await gradcheckDirectional(forward, (x, w) => ({ ...backward(x, w), a: Float64Array.of(w[0]! * x.b![0]!, 2.01 * w[1]! * x.a![1]!) }), inputs(), options);
  assert.ok(!wrong.ok && wrong.worst?.input === "a", describe(wrong));
  const zeroed = await gradcheckDirectional(forward, (x, w) => ({ ...backward(x, w), b: new Float64Array(2) }), inputs(), options);
  assert.ok(!zeroed.ok, describe(zeroed));
  assert.deepEqual(zeroed.starved, ["b"]);
  // Declaring the zero expected does not help: the finite differences of b are not zero.
  const excused = await gradcheckDirectional(forward, (x, w) => ({ ...backward(x, w), b: new Float64Array(2) }), inputs(), { ...options, zeroOk: ["b"] });
  assert.ok(!excused.ok && excused.starved.length === 0 && excused.worst?.input === "b", describe(excused));
  // An input the output does not depend on, declared zeroOk, passes.
  const unused = await gradcheckDirectional((x) => forward(x), (x, w) => ({ ...backward(x, w), c: new Float64Array(1) }), { ...inputs(), c: Float64Array.of(3) }, { ...options, zeroOk: ["c"] });
  assert.ok(unused.ok, describe(unused));
});
