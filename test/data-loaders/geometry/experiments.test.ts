// Every experiments/geometry-*.json parses against the experiment schema (defaults filled, no unknown keys).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../../data-loaders/io/paths.js";
import { parseExperiment } from "../../../src/engine/config/experiment.js";
import { scheduleValue } from "../../../src/engine/config/schedule.js";

test("experiments/geometry-schedules.json parses and its schedules evaluate", () => {
  const e = parseExperiment(JSON.parse(readFileSync(join(projectRoot, "experiments", "geometry-schedules.json"), "utf8")));
  assert.equal(e.geometry.carving.steps, 300);
  assert.equal(scheduleValue(e.geometry.carving.guidance, 150), 75);
  assert.equal(scheduleValue(e.geometry.carving.lambdaGeo, 50), 2000);
  assert.equal(scheduleValue(e.geometry.carving.tMax, 300), 0.5);
});

test("every geometry experiment file in experiments/ is valid", () => {
  const files = readdirSync(join(projectRoot, "experiments")).filter((f) => f.startsWith("geometry-") && f.endsWith(".json"));
  assert.ok(files.length >= 1);
  for (const f of files) assert.doesNotThrow(() => parseExperiment(JSON.parse(readFileSync(join(projectRoot, "experiments", f), "utf8"))), f);
});
