import { test } from "node:test";
import assert from "node:assert/strict";
import { intOption, numberOption, oneOf, requiredInt } from "../../../data-loaders/cli/options.js";
import { INTERPOLATIONS } from "../../../src/engine/stages/animation/config.js";
import { UserError } from "../../../data-loaders/cli/errors.js";

test("intOption / requiredInt: absent → undefined / required error; bad values are UserErrors naming the flag and bound", () => {
  assert.equal(intOption("steps", undefined), undefined);
  assert.equal(intOption("steps", "12"), 12);
  assert.equal(intOption("size", "16", 16), 16);
  assert.throws(() => intOption("steps", "-1"), (e) => e instanceof UserError && e.message === '--steps must be a non-negative integer, got "-1"');
  assert.throws(() => intOption("subsets", "0", 1), /--subsets must be a positive integer, got "0"/);
  assert.throws(() => intOption("map-size", "8", 16), /--map-size must be an integer ≥ 16, got "8"/);
  assert.throws(() => intOption("seed", "1.5"), /--seed must be a non-negative integer/);
  assert.equal(requiredInt("k", "3"), 3);
  assert.throws(() => requiredInt("size", undefined), /--size is required/);
});

test("numberOption accepts finite numbers (non-negative on request) and rejects the rest", () => {
  assert.equal(numberOption("fps", undefined), undefined);
  assert.equal(numberOption("lambda-d", "-0.5"), -0.5);
  assert.throws(() => numberOption("fps", "abc"), /--fps must be a number, got "abc"/);
  assert.throws(() => numberOption("fps", "Infinity"), /--fps must be a number/);
  assert.throws(() => numberOption("strength", "-1", { nonNegative: true }), /--strength must be a non-negative number, got "-1"/);
  assert.equal(numberOption("strength", "0.4", { nonNegative: true }), 0.4);
});

test("oneOf: a config enum's options, the bad value and the list named in a UserError", () => {
  assert.equal(oneOf("interpolation", undefined, INTERPOLATIONS), undefined);
  assert.equal(oneOf("interpolation", "cubic", INTERPOLATIONS), "cubic");
  assert.throws(() => oneOf("interpolation", "spline", INTERPOLATIONS), (e) => e instanceof UserError && e.message === "--interpolation spline: must be one of linear, step, cubic");
});
