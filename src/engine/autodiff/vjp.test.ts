// Whole-graph VJPs against torch.autograd, on graphs the autodiff has never seen: exported by
// torch's own exporter in the diffusers block structure (test/fixtures/autodiff/, made by
// models/export/make_fixtures.py; the expected VJPs were computed by torch in float64).
// Criterion: max|diff| / max|expected| ≤ 1e-3, per gradient.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { projectRoot } from "../../../data-loaders/io/paths.js";
import { exposeTokenEmbeddings } from "./surgery.js";
import { onnx, type ModelProto } from "./proto.js";
import { vjpModel, VjpError } from "./vjp.js";

const dir = join(projectRoot, "test", "fixtures", "autodiff");

interface Tensor {
  dtype?: string;
  dims: number[];
  data: number[];
}
interface Fixture {
  model: string;
  opset: number;
  output: string;
  wrt: string[];
  inputs: Record<string, Tensor>;
  cotangent: Tensor;
  expected: Record<string, Tensor>;
}

const ortTensor = (t: Tensor) =>
  t.dtype === "int64" ? new ort.Tensor("int64", BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims) : new ort.Tensor("float32", Float32Array.from(t.data), t.dims);

async function runVjp(model: ModelProto, f: Fixture, inputs: string[]): Promise<Record<string, ort.Tensor>> {
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(vjpModel(model, { wrt: f.wrt, output: f.output }))).finish();
  const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = { [`grad_${f.output}`]: ortTensor(f.cotangent) };
  for (const name of inputs) feeds[name] = ortTensor(f.inputs[name]!);
  return s.run(feeds);
}

function relErr(got: ArrayLike<number>, want: readonly number[]): number {
  assert.equal(got.length, want.length);
  let d = 0;
  let s = 0;
  want.forEach((w, i) => {
    d = Math.max(d, Math.abs(got[i]! - w));
    s = Math.max(s, Math.abs(w));
  });
  assert.ok(s > 0, "expected gradient is zero: vacuous");
  return d / s;
}

const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Fixture;
const load = (file: string) => onnx.ModelProto.decode(readFileSync(join(dir, file)));
const cases = readdirSync(dir).filter((f) => f.endsWith(".vjp.json") && f !== "clip_text_embeds.vjp.json" && read(f).wrt.length > 0);

test("there are torch fixtures for the VAE encoder and decoder, the cross-attention UNet and CLIP vision", () => {
  for (const name of ["vae_encoder", "vae_decoder", "unet", "unet_opset17", "clip_vision"]) assert.ok(cases.includes(`${name}.vjp.json`), name);
});

for (const file of cases) {
  test(`${file.replace(".vjp.json", "")}: VJP equals torch.autograd (≤ 1e-3 of max|expected|)`, async (t) => {
    const f = read(file);
    const model = load(f.model);
    const out = await runVjp(model, f, Object.keys(f.inputs));
    for (const w of f.wrt) {
      const err = relErr(out[`grad_${w}`]!.data as Float32Array, f.expected[`grad_${w}`]!.data);
      t.diagnostic(`grad_${w}: max|diff|/max|expected| = ${err.toExponential(2)}`);
      assert.ok(err <= 1e-3, `grad_${w}: max|diff|/max|expected| = ${err.toExponential(2)}`);
    }
  });
}

test("clip_text: token embeddings exposed as inputs_embeds; VJP w.r.t. them equals torch.autograd", async (t) => {
  const f = read("clip_text_embeds.vjp.json");
  const model = exposeTokenEmbeddings(load(f.model));
  const out = await runVjp(model, f, ["input_ids", "inputs_embeds"]);
  const err = relErr(out.grad_inputs_embeds!.data as Float32Array, f.expected.grad_inputs_embeds!.data);
  t.diagnostic(`grad_inputs_embeds: max|diff|/max|expected| = ${err.toExponential(2)}`);
  assert.ok(err <= 1e-3, `grad_inputs_embeds: max|diff|/max|expected| = ${err.toExponential(2)}`);
});

test("integer inputs have no gradient: asking for one names the input", () => {
  const f = read("unet.vjp.json");
  assert.throws(() => vjpModel(load(f.model), { wrt: ["timestep"], output: "out_sample" }), (e: unknown) => e instanceof VjpError && /"timestep" is not a float tensor/.test(e.message));
});

test("an op without a rule is an error naming the op and the node", () => {
  const f = read("vae_decoder.vjp.json");
  const model = load(f.model);
  const graph = model.graph!;
  const out = graph.output![0]!.name!;
  graph.node!.push(onnx.NodeProto.create({ opType: "Hardmax", name: "the_hardmax", input: [out], output: ["hm"] }));
  graph.output = [onnx.ValueInfoProto.create({ ...graph.output![0]!, name: "hm" })];
  assert.throws(() => vjpModel(model, { wrt: f.wrt }), /no VJP rule for op "Hardmax" \(node "the_hardmax"\)/);
});

test("the op table covers every op torch.onnx.export (opset 14–17) and optimum emit for SD1.5 and CLIP ViT-L/14", async () => {
  const { ELEMENTWISE } = await import("./rules/elementwise.js");
  const { NN } = await import("./rules/nn.js");
  const { SHAPE } = await import("./rules/shape.js");
  const { RULES, NON_DIFFERENTIABLE } = await import("./rules/index.js");
  const groups = [ELEMENTWISE, NN, SHAPE].map((g) => Object.keys(g));
  const all = groups.flat();
  assert.equal(new Set(all).size, all.length, "an op has rules in two groups (the later one would silently win)");
  const needed = `Conv ConvTranspose Gemm MatMul Add Sub Mul Div Pow Sqrt Exp Log Sigmoid Tanh Erf Softmax Sin Cos Neg Relu ReduceMean ReduceSum
    InstanceNormalization LayerNormalization GroupNormalization Reshape Transpose Flatten Squeeze Unsqueeze Concat Split Slice Gather Pad Resize
    Expand Where Identity Cast`.split(/\s+/);
  assert.deepEqual(needed.filter((op) => !RULES[op]), []);
  for (const op of ["Constant", "ConstantOfShape", "RandomNormalLike", "Shape", "Range", "Equal"]) assert.ok(NON_DIFFERENTIABLE.has(op), op);
});
