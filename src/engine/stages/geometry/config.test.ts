import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGeometryConfig } from "./config.js";
import { parseExperiment } from "../../config/experiment.js";
import { scheduleValue } from "../../config/schedule.js";

test("parseGeometryConfig fills the paper's defaults", () => {
  const c = parseGeometryConfig({});
  assert.equal(c.carving.steps, 300);
  assert.equal(c.carving.tMin, 0.02);
  assert.equal(c.carving.tMax, 0.98);
  assert.deepEqual(c.carving.azimuthRange, [-45, 45]);
  assert.equal(c.ranking.anchorText, "the face");
});

test("any weight may be a schedule, and the schedule evaluates per step", () => {
  const c = parseGeometryConfig({ carving: { lambdaGeo: [0, 10, 100, 200], guidance: { points: [[0, 100], [150, 20]] } } });
  assert.equal(scheduleValue(c.carving.lambdaGeo, 100), 55);
  assert.equal(scheduleValue(c.carving.guidance, 75), 60);
});

test("bad fields are named: wrong type, negative weight, unknown key, bad schedule", () => {
  assert.throws(() => parseGeometryConfig({ carving: { steps: "ten" } }), /geometry\.carving\.steps/);
  assert.throws(() => parseGeometryConfig({ carving: { lambdaMap: -1 } }), /geometry\.carving\.lambdaMap: must not take negative/);
  assert.throws(() => parseGeometryConfig({ carving: { lamdaGeo: 1 } }), /lamdaGeo/);
  assert.throws(() => parseGeometryConfig({ carving: { lrShape: [0, 1, 2] } }), /geometry\.carving\.lrShape/);
  assert.throws(() => parseGeometryConfig({ carving: { azimuthRange: [30, -30] } }), /azimuthRange/);
});

test("an experiment file is complete with only a name; its sections validate", () => {
  const e = parseExperiment({ name: "x", prompt: "an old man" });
  assert.equal(e.seed, 0);
  assert.equal(e.profile, "tiny");
  assert.equal(e.geometry.carving.steps, 300);
  assert.throws(() => parseExperiment({ name: "x", seed: -1 }), /seed/);
  assert.throws(() => parseExperiment({ name: "x", geometry: { carving: { renderSize: 3 } } }), /geometry\.carving\.renderSize/);
});
