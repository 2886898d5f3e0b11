import assert from "node:assert/strict";
import { test } from "node:test";
import { constantDomain, numericKeys, panelSpecs, wantsLog } from "./trajectoryPanels.js";
import { floats, pngSrc } from "./payload.js";

test("panelSpecs: one panel per numeric quantity on the step axis; log only where positive values span > 2 decades", () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ step: i, loss: 10 ** (-i / 10), lambda: 0.5, t: 980 - i, note: "x", grad: i === 3 ? null : 1 + i }));
  assert.deepEqual(numericKeys(rows), ["loss", "lambda", "t", "grad"]);
  const specs = panelSpecs(rows);
  assert.deepEqual(specs.map((s) => [s.key, s.log]), [["loss", true], ["lambda", false], ["t", false], ["grad", false]]);
  assert.equal(specs.find((s) => s.key === "grad")!.points.length, 49, "missing values are skipped, not zero");
  assert.equal(wantsLog([0, 1, 1000]), false, "a zero forbids a log axis");
  assert.equal(wantsLog([1, 50]), false);
  assert.deepEqual(constantDomain(specs[1]!), [0, 0.625], "a constant λ gets a readable axis from 0");
  assert.equal(constantDomain(specs[2]!), undefined);
  const two = panelSpecs([{ step: 0, run: "a", x: 1 }, { step: 0, run: "b", x: 2 }], { series: "run" });
  assert.deepEqual(two[0]!.points.map((p) => p.series), ["a", "b"]);
});

test("payload decoders: base64 float32 and PNG sources", () => {
  const values = new Float32Array([1.5, -2, 3.25]);
  assert.deepEqual([...floats(Buffer.from(values.buffer).toString("base64"))], [1.5, -2, 3.25]);
  assert.equal(pngSrc("AAAA"), "data:image/png;base64,AAAA");
  assert.equal(pngSrc("data:image/png;base64,AAAA"), "data:image/png;base64,AAAA");
});
