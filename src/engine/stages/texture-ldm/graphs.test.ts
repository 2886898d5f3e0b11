// Weights as graph inputs: the promoted/widened tiny UNet computes what the profile's UNet does,
// and the VJP w.r.t. its weights (and hidden states, for the learned tokens) matches finite
// differences; the text encoder's VJP w.r.t. its input embeddings too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { ensureTinyModels } from "../../../../data-loaders/models/ensure-tiny.js";
import { defaultTinyDir } from "../../../../data-loaders/models/build-tiny.js";
import { onnx, type ModelProto } from "../../autodiff/proto.js";
import { initializerValues, promoteInitializers, widenConvInput } from "../../autodiff/surgery.js";
import { VjpError } from "../../autodiff/vjp.js";
import { Rng } from "../../util/rng.js";
import { checkModelVjp } from "../../../../test/helpers/onnx-gradcheck.js";
import { ldmTrainGraphs } from "./graphs.js";

const load = async (role: string): Promise<ModelProto> => {
  await ensureTinyModels(defaultTinyDir(), 0, "core");
  return onnx.ModelProto.decode(readFileSync(join(defaultTinyDir(), `${role}.onnx`)));
};
const run = async (m: ModelProto, feeds: Record<string, { dims: readonly number[]; data: Float32Array }>) => {
  const s = await ort.InferenceSession.create(onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish(), { logSeverityLevel: 3 });
  const r = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor("float32", f.data, [...f.dims])])));
  return r.out_sample!.data as Float32Array;
};
const rng = new Rng(5);
/** ORT may fuse constant weights differently from fed ones: equal up to float32 rounding. */
function close(a: Float32Array, b: Float32Array, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  assert.ok(d <= tol, `outputs differ by ${d}`);
}
const normals = (dims: number[], s = 1) => ({ dims, data: rng.normals(dims.reduce((a, b) => a * b, 1)).map((v) => v * s) });

test("promoted weights fed back give the original UNet's output; widening adds a channel the output ignores", async () => {
  const unet = await load("unet");
  const feeds = { sample: normals([2, 4, 4, 4]), timestep: { dims: [2], data: new Float32Array([500, 500]) }, encoder_hidden_states: normals([2, 77, 768], 0.3) };
  const want = await run(unet, feeds);
  const names = ["conv_w_21", "lin_w_14"];
  const p = promoteInitializers(unet, names);
  assert.deepEqual(p.model.graph!.initializer!.filter((t) => names.includes(t.name!)), []);
  const got = await run(p.model, { ...feeds, ...Object.fromEntries(names.map((n, k) => [n, { dims: p.model.graph!.input!.find((i) => i.name === n)!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue)), data: p.values[k]! }])) });
  close(got, want);
  const wide = widenConvInput(unet, "sample", 1);
  const withMask = new Float32Array(2 * 5 * 16);
  for (let b = 0; b < 2; b++) {
    withMask.set(feeds.sample.data.subarray(b * 64, (b + 1) * 64), b * 80);
    withMask.fill(b + 0.5, b * 80 + 64, b * 80 + 80);
  }
  close(await run(wide, { ...feeds, sample: { dims: [2, 5, 4, 4], data: withMask } }), want);
  assert.throws(() => promoteInitializers(unet, ["nope"]), VjpError);
});

test("VJP of the mask-channel UNet w.r.t. its weights and hidden states matches finite differences", async () => {
  const g = ldmTrainGraphs(await load("unet"), { mask: true, weights: /^(conv|lin)_/, hiddenGrad: true });
  assert.equal(g.channels, 5);
  assert.equal(g.params.length, 10);
  assert.equal(g.init.length, 16212); // README: "10 tensors, 16 k values"
  const feeds: Record<string, { dims: readonly number[]; data: Float32Array }> = {
    sample: normals([2, 5, 4, 4]),
    timestep: { dims: [2], data: new Float32Array([300, 300]) },
    encoder_hidden_states: normals([2, 77, 768], 0.3),
  };
  // Mask-channel weights start at zero; perturb them so their gradients flow through a generic point.
  const w = g.init.map((v) => v + 0.05 * rng.normal());
  for (const p of g.params) feeds[p.name] = { dims: p.dims, data: w.slice(p.offset, p.offset + p.size) };
  const errors = await checkModelVjp(g.forward, { feeds, wrt: [...g.params.map((p) => p.name), "encoder_hidden_states"], output: "out_sample", eps: 1e-3, tol: 5e-3 });
  assert.equal(Object.keys(errors).length, 11);
});

test("VJP of the text encoder on embeddings w.r.t. inputs_embeds matches finite differences", async () => {
  const { textEmbedsVjp } = await import("./graphs.js");
  const { ensureDerived } = await import("../../../../data-loaders/models/derive.js");
  await load("text_encoder");
  const m = onnx.ModelProto.decode(readFileSync(ensureDerived("text_encoder_embeds", join(defaultTinyDir(), "text_encoder.onnx")).file));
  assert.ok(textEmbedsVjp(m).graph!.output!.some((o) => o.name === "grad_inputs_embeds"));
  // The tiny encoder reads input_ids only through the embeddings: drop that int input for the float-only checker.
  const noIds = onnx.ModelProto.create({ ...m, graph: onnx.GraphProto.create({ ...m.graph!, input: m.graph!.input!.filter((i) => i.name !== "input_ids"), output: m.graph!.output!.filter((o) => o.name === "last_hidden_state") }) });
  await checkModelVjp(noIds, { feeds: { inputs_embeds: normals([2, 77, 8]) }, wrt: ["inputs_embeds"], output: "last_hidden_state", eps: 1e-3, tol: 5e-3 });
});

test("external-data weights: read through the given reader, refused without one or when the file is short", () => {
  const values = Float32Array.from([1.5, -2, 3.25, 0]);
  const file = new Uint8Array(8 + 16);
  file.set(new Uint8Array(values.buffer), 8);
  const ext = (entries: Record<string, string>) =>
    onnx.TensorProto.create({ name: "w", dims: [2, 2], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: Object.entries(entries).map(([key, value]) => ({ key, value })) });
  const reads: string[] = [];
  const reader = (location: string, offset: number, length: number) => (reads.push(`${location}@${offset}+${length}`), file.slice(offset, offset + length));
  assert.deepEqual(initializerValues(ext({ location: "model.onnx_data", offset: "8", length: "16" }), reader), values);
  assert.deepEqual(reads, ["model.onnx_data@8+16"]);
  assert.throws(() => initializerValues(ext({ location: "model.onnx_data", offset: "8", length: "16" })), (e: Error) => e instanceof VjpError && /external data/.test(e.message));
  assert.throws(() => initializerValues(ext({ location: "model.onnx_data", offset: "16", length: "16" }), reader), (e: Error) => e instanceof VjpError && /ends before/.test(e.message));
  assert.throws(() => initializerValues(ext({ location: "model.onnx_data", offset: "0", length: "12" }), reader), (e: Error) => e instanceof VjpError && /expected 16/.test(e.message));
});
