import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeTinyModels } from "../../data-loaders/models/build-tiny.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { ROLES } from "../cards/roles.js";
import { buildAllModels, buildUnet } from "./build.js";
import { readSignature } from "./graph.js";

test("build-tiny is byte-deterministic for a seed and differs across seeds", async () => {
  const a = tempDir("tiny-a-");
  const b = tempDir("tiny-b-");
  const c = tempDir("tiny-c-");
  const ma = await writeTinyModels(a, 7, "core");
  const mb = await writeTinyModels(b, 7, "core");
  const mc = await writeTinyModels(c, 8, "core");
  assert.ok(Object.keys(ma.files).length >= 15);
  for (const [role, f] of Object.entries(ma.files)) {
    assert.equal(mb.files[role]!.sha256, f.sha256, `${role} differs between two builds with seed 7`);
    assert.deepEqual(readFileSync(join(a, f.file)), readFileSync(join(b, f.file)));
    assert.notEqual(mc.files[role]!.sha256, f.sha256, `${role} is the same for seeds 7 and 8`);
  }
  assert.equal(readFileSync(join(a, "manifest.json"), "utf8"), readFileSync(join(b, "manifest.json"), "utf8"));
});

test("each tiny graph (animation ones included) declares the signature of its role card", async () => {
  for (const { role, bytes } of await buildAllModels(0)) {
    const card = ROLES[role];
    assert.ok(card, `no card for ${role}`);
    const sig = readSignature(bytes);
    assert.deepEqual(sig.inputs.map((i) => i.name), card.inputs.map((i) => i.name), `${role} inputs`);
    assert.deepEqual(sig.outputs.map((o) => o.name), card.outputs.map((o) => o.name), `${role} outputs`);
    [...sig.inputs, ...sig.outputs].forEach((v, k) => {
      const spec = [...card.inputs, ...card.outputs][k]!;
      assert.ok(spec.dtypes.includes(v.dtype), `${role}.${v.name} dtype ${v.dtype}`);
      assert.ok(spec.ranks.includes(v.dims.length), `${role}.${v.name} rank ${v.dims.length}`);
      spec.dims.forEach((d, i) => {
        if (typeof d === "number" && typeof v.dims[i] === "number" && v.dims.length === spec.dims.length) assert.equal(v.dims[i], d, `${role}.${v.name} dim ${i}`);
      });
    });
  }
});

test("unet variants declare the requested timestep dtype and rank", () => {
  const int64 = readSignature(buildUnet(0, { timestepType: "int64" })).inputs[1]!;
  assert.deepEqual([int64.name, int64.dtype, int64.dims], ["timestep", "int64", ["batch"]]);
  const scalar = readSignature(buildUnet(0, { timestepShape: "scalar" })).inputs[1]!;
  assert.deepEqual([scalar.dtype, scalar.dims], ["float32", []]);
});
