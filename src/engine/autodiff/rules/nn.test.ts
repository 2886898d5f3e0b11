// Every nn rule against central finite differences, per input (test/helpers/onnx-gradcheck.ts).
// (Pad's rule lives in shape.ts and is checked in shape.test.ts.)
// float64 (tolerance 1e-6) where onnxruntime's CPU provider has the kernel: Gemm, MatMul, Softmax,
// LogSoftmax, LayerNormalization, GroupNormalization, MaxPool, Dropout. float32 otherwise (no
// float64 kernel: Conv, ConvTranspose, Resize, InstanceNormalization, AveragePool,
// GlobalAveragePool, Gelu's Erf; LayerNormalization's Mean/InvStdDev outputs are float at any input
// type). Ops linear in the probed input (Conv and ConvTranspose in x and in W, Resize, the average
// pools) use a large step, where central differences are exact and only float32 rounding remains
// (errors ~1e-6): tolerance 1e-4. Non-linear float32 ops use step 3e-3 (errors ≤ 1e-4): tolerance 1e-3.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { checkOp, type CheckOptions } from "../../../../test/helpers/onnx-gradcheck.js";
import { attribute, DT, onnx, type AttrValue, type ModelProto, type TensorProto, type ValueInfoProto } from "../proto.js";
import { vjpModel } from "../vjp.js";

/** float32, exact finite differences of a (multi)linear op: only rounding error is left. */
const LIN: CheckOptions = { dtype: "float32", eps: 0.5, tol: 1e-4 };
const i64 = (data: number[]) => ({ dims: [data.length], dtype: "int64" as const, data, wrt: false });
const f32c = (data: number[]) => ({ dims: [data.length], dtype: "float32" as const, data, wrt: false });

test("Conv 2-D: stride 2, odd size, asymmetric pads [0,0,1,1] (VAE downsample); x, W, B", async () => {
  await checkOp("Conv", { x: [2, 3, 7, 7], w: [4, 3, 3, 3], b: [4] }, { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] }, LIN);
  await checkOp("Conv", { x: [1, 3, 8, 6], w: [2, 3, 3, 3], b: [2] }, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, LIN);
});
test("Conv 2-D: stride 3 drops trailing rows; rectangular kernel; no attributes at all", async () => {
  await checkOp("Conv", { x: [1, 2, 8, 9], w: [3, 2, 3, 2] }, { kernel_shape: [3, 2], strides: [3, 2], pads: [1, 0, 0, 1] }, LIN);
  // no kernel_shape/strides/pads: x̄ needs none (all defaults), W̄ needs the spatial rank
  await checkOp("Conv", { x: [1, 2, 5, 5], w: { dims: [3, 2, 3, 3], wrt: false } }, {}, LIN);
  await assert.rejects(checkOp("Conv", { x: [1, 2, 5, 5], w: [3, 2, 3, 3] }, {}, LIN), /Conv node "Conv": the weight gradient needs kernel_shape/);
});
test("Conv 2-D: group 2 with dilation 2 and pads; depthwise (group = C) with stride 2", async () => {
  await checkOp("Conv", { x: [2, 4, 7, 6], w: [6, 2, 3, 3], b: [6] }, { kernel_shape: [3, 3], group: 2, dilations: [2, 2], pads: [1, 2, 1, 0] }, LIN);
  await checkOp("Conv", { x: [1, 3, 7, 7], w: [3, 1, 3, 3] }, { kernel_shape: [3, 3], group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }, LIN);
});
test("Conv 1-D (group 2, stride 2), 3-D, auto_pad VALID; SAME_UPPER is refused naming the node", async () => {
  await checkOp("Conv", { x: [2, 4, 9], w: [6, 2, 3], b: [6] }, { kernel_shape: [3], group: 2, strides: [2], pads: [1, 0] }, LIN);
  await checkOp("Conv", { x: [1, 2, 4, 5, 3], w: [2, 2, 2, 3, 2], b: [2] }, { kernel_shape: [2, 3, 2], strides: [2, 1, 1], pads: [0, 1, 0, 1, 1, 1] }, LIN);
  await checkOp("Conv", { x: [1, 2, 6, 7], w: [2, 2, 2, 3] }, { kernel_shape: [2, 3], strides: [2, 2], auto_pad: "VALID" }, LIN);
  await assert.rejects(checkOp("Conv", { x: [1, 2, 5, 5], w: [2, 2, 3, 3] }, { kernel_shape: [3, 3], auto_pad: "SAME_UPPER" }, LIN), /Conv node "Conv": auto_pad SAME_UPPER/);
});
test("ConvTranspose: stride 2, pads, output_padding; group 2 with dilation; 1-D", async () => {
  await checkOp("ConvTranspose", { x: [2, 3, 4, 5], w: [3, 2, 3, 3], b: [2] }, { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0] }, LIN);
  await checkOp("ConvTranspose", { x: [1, 4, 3, 4], w: [4, 3, 2, 3], b: [6] }, { kernel_shape: [2, 3], group: 2, dilations: [2, 1], strides: [1, 2] }, LIN);
  await checkOp("ConvTranspose", { x: [2, 2, 5], w: [2, 3, 4] }, { kernel_shape: [4], strides: [3], pads: [2, 1], output_padding: [2] }, LIN);
  await assert.rejects(checkOp("ConvTranspose", { x: [1, 2, 3, 3], w: [2, 2, 3, 3] }, { output_shape: [6, 6], strides: [2, 2] }, LIN), /output_shape/);
});
test("Gemm: every transA/transB, alpha and beta, C broadcast", async () => {
  const A = (t: number) => (t ? [4, 3] : [3, 4]);
  const B = (t: number) => (t ? [5, 4] : [4, 5]);
  for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) await checkOp("Gemm", { a: A(ta), b: B(tb), c: [5] }, { transA: ta, transB: tb, alpha: { f: 0.7 }, beta: { f: -1.3 } });
  await checkOp("Gemm", { a: [3, 4], b: [4, 5], c: [3, 1] });
  await checkOp("Gemm", { a: [3, 4], b: [4, 5], c: [] }, { beta: { f: 2 } });
  await checkOp("Gemm", { a: [3, 4], b: [4, 5] }, { transA: 0, alpha: { f: 2 } });
});
test("MatMul: 2-D, batched, broadcast batch, 1-D operands", async () => {
  await checkOp("MatMul", { a: [3, 4], b: [4, 5] });
  await checkOp("MatMul", { a: [2, 3, 4], b: [2, 4, 5] });
  await checkOp("MatMul", { a: [3, 4], b: [2, 4, 5] });
  await checkOp("MatMul", { a: [2, 1, 3, 4], b: [3, 4, 2] });
  await checkOp("MatMul", { a: [4], b: [4, 5] });
  await checkOp("MatMul", { a: [2, 3, 4], b: [4] });
  await checkOp("MatMul", { a: [4], b: [2, 4, 3] });
  await checkOp("MatMul", { a: [4], b: [4] });
});
test("Softmax and LogSoftmax on axis 1 and -1", async () => {
  for (const op of ["Softmax", "LogSoftmax"]) {
    await checkOp(op, { x: [2, 3, 4] });
    await checkOp(op, { x: [2, 3, 4] }, { axis: 1 });
    await checkOp(op, { x: [2, 3, 4] }, { axis: -1 });
  }
});
test("LayerNormalization (opset 17): last axis and axis 1, with and without B; Mean and InvStdDev outputs", async () => {
  await checkOp("LayerNormalization", { x: [2, 3, 4], s: [4], b: [4] }, { epsilon: { f: 1e-5 } });
  await checkOp("LayerNormalization", { x: [2, 3, 4], s: [3, 4] }, { axis: 1 });
  await checkOp("LayerNormalization", { x: [2, 3, 4], s: [3, 4], b: [4] }, { axis: -2 });
  await checkOp("LayerNormalization", { x: [2, 3, 4], s: [4], b: [4] }, {}, { dtype: "float32", eps: 1e-2, tol: 1e-2, outputs: 3, output: 1, zeroOk: ["s", "b"] });
  await checkOp("LayerNormalization", { x: [2, 3, 4], s: [4], b: [4] }, {}, { dtype: "float32", eps: 1e-2, tol: 1e-2, outputs: 3, output: 2, zeroOk: ["s", "b"] });
});

/** float32, non-linear: step 3e-3 balances truncation (∝ step²) against rounding (∝ 1/step). */
const NL: CheckOptions = { dtype: "float32", eps: 3e-3, tol: 1e-3 };

test("InstanceNormalization (float32): 4-D and 3-D; x, scale, B", async () => {
  await checkOp("InstanceNormalization", { x: [2, 3, 4, 5], s: [3], b: [3] }, {}, NL);
  await checkOp("InstanceNormalization", { x: [2, 3, 5], s: [3], b: [3] }, { epsilon: { f: 1e-3 } }, NL);
});
test("GroupNormalization: opset 18 (scale per group) and 21 (per channel; stash_type double, else ORT reduces in float)", async () => {
  await checkOp("GroupNormalization", { x: [2, 4, 3, 2], s: [2], b: [2] }, { num_groups: 2 }, { opset: 18 });
  await checkOp("GroupNormalization", { x: [2, 6, 5], s: [3], b: [3] }, { num_groups: 3, epsilon: { f: 1e-3 } }, { opset: 18 });
  await checkOp("GroupNormalization", { x: [2, 4, 3, 2], s: [4], b: [4] }, { num_groups: 2, stash_type: 11 }, { opset: 21 });
  await checkOp("GroupNormalization", { x: [2, 6, 5], s: [6], b: [6] }, { num_groups: 3 }, { ...NL, opset: 21 });
});

const RESIZE = (x: number[], sc?: number[], sz?: number[]) => ({ x, roi: undefined, sc: sc && f32c(sc), ...(sz ? { sz: i64(sz) } : {}) });
test("Resize nearest: ×2 asymmetric/floor (SD Upsample) by scales and by sizes; half_pixel round_prefer_floor ×1.5/×2.5", async () => {
  const sd = { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" };
  await checkOp("Resize", RESIZE([2, 3, 4, 5], [1, 1, 2, 2]), sd, LIN);
  await checkOp("Resize", RESIZE([1, 2, 4, 5], undefined, [1, 2, 8, 10]), sd, LIN);
  await checkOp("Resize", RESIZE([1, 2, 5, 4], [1, 1, 1.5, 2.5]), { mode: "nearest", coordinate_transformation_mode: "half_pixel", nearest_mode: "round_prefer_floor" }, LIN);
});
test("Resize linear: half_pixel ×2 and to odd sizes, align_corners, pytorch_half_pixel (to 1 row; ×0.5/×0.75 down); cubic; 3-D input", async () => {
  await checkOp("Resize", RESIZE([1, 2, 4, 5], [1, 1, 2, 2]), { mode: "linear", coordinate_transformation_mode: "half_pixel" }, LIN);
  await checkOp("Resize", RESIZE([1, 2, 5, 4], undefined, [1, 2, 7, 9]), { mode: "linear" }, LIN);
  await checkOp("Resize", RESIZE([1, 2, 5, 4], undefined, [1, 2, 7, 9]), { mode: "linear", coordinate_transformation_mode: "align_corners" }, LIN);
  await checkOp("Resize", RESIZE([1, 2, 5, 4], undefined, [1, 2, 1, 9]), { mode: "linear", coordinate_transformation_mode: "pytorch_half_pixel" }, LIN);
  await checkOp("Resize", RESIZE([1, 2, 6, 8], [1, 1, 0.5, 0.75]), { mode: "linear", coordinate_transformation_mode: "pytorch_half_pixel" }, LIN);
  await checkOp("Resize", RESIZE([1, 2, 5, 4], [1, 1, 1.5, 2.5]), { mode: "cubic" }, LIN);
  await checkOp("Resize", RESIZE([2, 3, 5], [1, 1, 2]), { mode: "linear" }, LIN);
});
test("Resize at opset 18: antialias, axes [-2, -1]; refused: tf_crop_and_resize, other axes, keep_aspect_ratio_policy", async () => {
  await checkOp("Resize", RESIZE([1, 2, 8, 6], [1, 1, 0.5, 0.5]), { mode: "linear", antialias: 1 }, { ...LIN, opset: 18 });
  await checkOp("Resize", RESIZE([1, 2, 4, 5], [2, 2]), { mode: "nearest", axes: [-2, -1] }, { ...LIN, opset: 18 });
  const roi = { x: [1, 1, 4, 4], roi: f32c([0, 0, 0, 0, 1, 1, 1, 1]), sc: f32c([1, 1, 2, 2]) };
  await assert.rejects(checkOp("Resize", roi, { mode: "linear", coordinate_transformation_mode: "tf_crop_and_resize" }, LIN), /Resize node "Resize": coordinate_transformation_mode tf_crop_and_resize/);
  await assert.rejects(checkOp("Resize", RESIZE([1, 2, 4, 5], [2, 2]), { axes: [2, 3] }, { ...LIN, opset: 18 }), /axes \[2,3\]/);
  await assert.rejects(checkOp("Resize", RESIZE([1, 2, 4, 5], undefined, [1, 2, 8, 8]), { keep_aspect_ratio_policy: "not_larger" }, { ...LIN, opset: 18 }), /keep_aspect_ratio_policy/);
});
test("pools: GlobalAveragePool; AveragePool with pads (count_include_pad 0 and 1), dilations (opset 19), 1-D; MaxPool", async () => {
  await checkOp("GlobalAveragePool", { x: [2, 3, 4, 5] }, {}, LIN);
  await checkOp("AveragePool", { x: [2, 3, 7, 6] }, { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1] }, LIN);
  await checkOp("AveragePool", { x: [2, 3, 7, 6] }, { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1 }, LIN);
  await checkOp("AveragePool", { x: [2, 3, 7, 6] }, { kernel_shape: [3, 2], strides: [1, 2], pads: [1, 0, 1, 1], dilations: [2, 1] }, { ...LIN, opset: 19 });
  await checkOp("AveragePool", { x: [2, 3, 9] }, { kernel_shape: [3], strides: [2] }, LIN);
  await assert.rejects(checkOp("AveragePool", { x: [1, 1, 5, 5] }, { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, LIN), /ceil_mode/);
  // float64 with a small step: random inputs have no ties within 1e-6
  await checkOp("MaxPool", { x: [2, 3, 7, 6] }, { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1] }, { eps: 1e-6 });
  await checkOp("MaxPool", { x: [2, 3, 7, 6] }, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], dilations: [2, 1] }, { eps: 1e-6 });
});
test("Gelu (opset 20, float32): exact and tanh", async () => {
  await checkOp("Gelu", { x: [3, 4] }, {}, { ...NL, opset: 20 });
  await checkOp("Gelu", { x: [3, 4] }, { approximate: "tanh" }, { ...NL, opset: 20 });
});
test("Dropout without training_mode is the identity", () => checkOp("Dropout", { x: [2, 3], ratio: { dims: [], data: [0.3], wrt: false } }));

// --- graphs the one-node checker cannot express: a bool output, initializers, symbolic dims ---

type Dim = string | number;
const valueInfo = (name: string, elemType: number, shape?: readonly Dim[]) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, ...(shape ? { shape: { dim: shape.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } : {}) } } });
/** A model of `nodes` (attributes as the checker gives them) at opset 17. */
function graphModel(nodes: { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, AttrValue> }[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], initializer: TensorProto[] = []): ModelProto {
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "local",
      node: nodes.map((n, k) => ({ opType: n.op, name: `${n.op}_${k}`, input: n.inputs, output: n.outputs, attribute: Object.entries(n.attrs ?? {}).map(([name, v]) => attribute(name, v)) })),
      initializer,
      input: inputs,
      output: outputs,
    },
  });
}
const sessionOf = (m: ModelProto) => ort.InferenceSession.create(onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish(), { logSeverityLevel: 3 });

// Dropout's mask is bool (the checker gives every output the float type), so training_mode is
// checked here: x̄ = ȳ at inference, and in training each x̄ᵢ is 0 or ȳᵢ/(1 − ratio) (the VJP graph
// replays the forward's own draw; a finite-difference check would see a new draw per run).
test("Dropout with training_mode false and true (mask output)", async () => {
  const model = graphModel(
    [{ op: "Dropout", inputs: ["x", "ratio", "t"], outputs: ["y", "mask"] }],
    [valueInfo("x", DT.DOUBLE), valueInfo("ratio", DT.DOUBLE), valueInfo("t", DT.BOOL)],
    [valueInfo("y", DT.DOUBLE), valueInfo("mask", DT.BOOL)],
  );
  const session = await sessionOf(vjpModel(model, { wrt: ["x"], output: "y" }));
  const n = 400;
  const gy = Float64Array.from({ length: n }, (_, i) => 1 + (i % 7));
  const run = async (training: boolean) => {
    const feeds = { x: new ort.Tensor("float64", new Float64Array(n).fill(1), [n]), ratio: new ort.Tensor("float64", [0.25], []), t: new ort.Tensor("bool", [training], []), grad_y: new ort.Tensor("float64", gy, [n]) };
    return (await session.run(feeds)).grad_x!.data as Float64Array;
  };
  assert.deepEqual([...(await run(false))], [...gy]);
  const gx = await run(true);
  const kept = [...gx].filter((v, i) => v !== 0 && (assert.ok(Math.abs(v - gy[i]! / 0.75) < 1e-12, `x̄[${i}] = ${v}`), true)).length;
  assert.ok(kept > n * 0.6 && kept < n * 0.9, `${kept} of ${n} kept at ratio 0.25`);
  await assert.rejects(async () => vjpModel(graphModel([{ op: "Dropout", inputs: ["x", "ratio", "t"], outputs: ["y"] }], [valueInfo("x", DT.DOUBLE), valueInfo("ratio", DT.DOUBLE), valueInfo("t", DT.BOOL)], [valueInfo("y", DT.DOUBLE)]), { wrt: ["x"] }), /Dropout node "Dropout_0": training_mode is given but the mask output is not/);
});

// Shapes are computed in the graph: one VJP graph of Conv (stride 2, pads [0,0,1,1]) → Resize ×2
// → ConvTranspose with symbolic batch/height/width and initializer weights serves every input size.
test("symbolic dims: one VJP graph (Conv → Resize → ConvTranspose) at two input sizes", async () => {
  const tensor = (name: string, dims: number[], data: (i: number) => number) =>
    onnx.TensorProto.create({ name, dims, dataType: DT.FLOAT, floatData: Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => data(i)) });
  const model = graphModel(
    [
      { op: "Conv", inputs: ["x", "w1"], outputs: ["a"], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] } },
      { op: "Resize", inputs: ["a", "", "scales"], outputs: ["b"], attrs: { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" } },
      { op: "ConvTranspose", inputs: ["b", "w2"], outputs: ["y"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    ],
    [valueInfo("x", DT.FLOAT, ["batch", 2, "height", "width"])],
    [valueInfo("y", DT.FLOAT, ["batch", 2, "h2", "w2"])],
    [tensor("w1", [3, 2, 3, 3], (i) => Math.sin(1 + i * 1.7)), tensor("w2", [3, 2, 2, 2], (i) => Math.sin(2 + i * 1.7)), tensor("scales", [4], (i) => (i < 2 ? 1 : 2))],
  );
  const [fwd, bwd] = await Promise.all([sessionOf(model), sessionOf(vjpModel(model, { wrt: ["x"] }))]);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
  for (const shape of [[1, 2, 7, 9], [2, 2, 6, 5]]) {
    const n = shape.reduce((a, b) => a * b);
    const x = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37));
    const d = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.91));
    const y = async (v: Float32Array) => (await fwd.run({ x: new ort.Tensor("float32", v, shape) })).y!;
    const y0 = await y(x);
    const gy = Float32Array.from({ length: y0.data.length }, (_, i) => Math.cos(i * 0.53));
    const gx = (await bwd.run({ x: new ort.Tensor("float32", x, shape), grad_y: new ort.Tensor("float32", gy, y0.dims) })).grad_x!;
    assert.deepEqual(gx.dims, shape);
    const numeric = dot(gy, (await y(x.map((v, i) => v + d[i]!))).data as Float32Array) - dot(gy, y0.data as Float32Array); // exact: y is linear in x
    const analytic = dot(gx.data as Float32Array, d);
    assert.ok(Math.abs(analytic) > 1e-3 && Math.abs(numeric - analytic) <= 1e-4 * Math.abs(analytic), `[${shape}]: ${numeric} vs ${analytic}`);
  }
});
