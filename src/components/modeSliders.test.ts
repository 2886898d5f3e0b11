import assert from "node:assert/strict";
import { test } from "node:test";
import { loadFaceModel } from "../../data-loaders/face/load.js";
import { groupArkitNames } from "./modeSliders.js";

test("groupArkitNames(ICT's 53 expressions) puts every name in a face-part group, in model order", async () => {
  const { expressionNames } = await loadFaceModel();
  const groups = groupArkitNames(expressionNames);
  assert.equal(groups.has("other"), false, `ungrouped: ${groups.get("other")?.map((i) => expressionNames[i]).join(", ")}`);
  const all = [...groups.values()].flat();
  assert.deepEqual([...all].sort((a, b) => a - b), expressionNames.map((_, i) => i), "every index exactly once");
  for (const indices of groups.values()) assert.deepEqual(indices, [...indices].sort((a, b) => a - b), "model order inside a group");
  assert.ok(groups.get("jaw")!.some((i) => expressionNames[i] === "jawOpen"));
});

test("groupArkitNames sends unknown names to 'other'", () => {
  assert.deepEqual([...groupArkitNames(["jawOpen", "smile", "eyeBlink_L"])], [["jaw", [0]], ["other", [1]], ["eye", [2]]]);
});
