// Every data-movement and reduction rule against central finite differences, per input
// (test/helpers/onnx-gradcheck.ts), then a few multi-node graphs (local helper below: the
// checker builds one-node graphs only) for the paths that must NOT be differentiated.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { checkOp, type OpInput } from "../../../../test/helpers/onnx-gradcheck.js";
import { attribute, DT, floatTensor, int64Tensor, onnx, type AttrValue, type ModelProto, type NodeProto, type TensorProto } from "../proto.js";
import { vjpModel } from "../vjp.js";
import { Rng } from "../../util/rng.js";

const A = [2, 3, 4];
const i64 = (data: number[], dims: number[] = [data.length]): OpInput => ({ dims, dtype: "int64", data });
const BIG = 2 ** 53 - 1; // "to the end" (INT64_MAX as exporters write it, within float64's exact range)

test("Reshape (with 0 and −1), Flatten (axis 0, 2, −1)", async () => {
  await checkOp("Reshape", { x: A, shape: i64([0, -1]) });
  await checkOp("Reshape", { x: A, shape: i64([4, 6]) });
  for (const axis of [0, 2, -1]) await checkOp("Flatten", { x: A }, { axis });
});
test("Squeeze (axes input, negative, none) and Unsqueeze (negative axes)", async () => {
  await checkOp("Squeeze", { x: [2, 1, 3, 1], axes: i64([1, -1]) });
  await checkOp("Squeeze", { x: [1, 3, 1] });
  await checkOp("Unsqueeze", { x: A, axes: i64([0, -1]) });
});
test("Transpose with perm and without (reversal)", async () => {
  await checkOp("Transpose", { x: [2, 3, 4, 5] }, { perm: [2, 0, 3, 1] });
  await checkOp("Transpose", { x: A });
});
test("Concat of 3 inputs (axis 1, axis −1), of 1, and with an input not differentiated", async () => {
  await checkOp("Concat", { a: A, b: [2, 1, 4], c: [2, 5, 4] }, { axis: 1 });
  await checkOp("Concat", { a: A, b: [2, 3, 2], c: [2, 3, 1] }, { axis: -1 });
  await checkOp("Concat", { a: A }, { axis: 0 });
  await checkOp("Concat", { a: A, b: { dims: A, wrt: false } }, { axis: 0 });
});
test("Split with the split input, equal (no input), num_outputs (opset 18); other outputs get zeros", async () => {
  await checkOp("Split", { x: [2, 7], split: i64([2, 4, 1]) }, { axis: 1 }, { outputs: 3, output: 1 });
  await checkOp("Split", { x: [6, 2] }, { axis: -2 }, { outputs: 3, output: 2, opset: 13 });
  await checkOp("Split", { x: [2, 7] }, { axis: 1, num_outputs: 3 }, { outputs: 3, output: 2, opset: 18 }); // sizes 3, 3, 1
});
test("Slice: basic, negative starts/axes, steps 2 and −1, out-of-range ends, axes omitted", async () => {
  await checkOp("Slice", { x: A, starts: i64([1]), ends: i64([3]), axes: i64([2]) });
  await checkOp("Slice", { x: A, starts: i64([-2, 0]), ends: i64([BIG, 2]), axes: i64([-1, 1]) });
  await checkOp("Slice", { x: [2, 7], starts: i64([1]), ends: i64([100]), axes: i64([1]), steps: i64([2]) });
  await checkOp("Slice", { x: [2, 7], starts: i64([-1]), ends: i64([-BIG]), axes: i64([1]), steps: i64([-1]) });
  await checkOp("Slice", { x: [5, 3], starts: i64([4, -10]), ends: i64([0, 10]), axes: undefined, steps: i64([-2, 1]) }); // clamped, reversed
  await checkOp("Slice", { x: A, starts: i64([1, 1]), ends: i64([2, 3]) });
});
test("Gather: repeated indices accumulate (embedding lookup), negative, scalar, 2-D, axis 1 and −1", async () => {
  await checkOp("Gather", { table: [5, 3], ids: i64([1, 3, 1, 1, 0, 3], [2, 3]) });
  await checkOp("Gather", { x: A, ids: i64([-1, 0, -3, -1]) }, { axis: 1 });
  await checkOp("Gather", { x: A, ids: i64([0], []) }, { axis: 1 }); // class token: x[:, 0]
  await checkOp("Gather", { x: A, ids: i64([-1], []) }, { axis: -1 });
  await checkOp("Gather", { x: A, ids: { dims: [2, 2], dtype: "int64", data: [3, 3, -4, 1] } }, { axis: -1 });
  await checkOp("Gather", { x: A, ids: i64([1, 1]) }, { axis: 0 });
  await checkOp("Gather", { x: [5], ids: i64([4, 4, -1]) });
  await checkOp("Gather", { x: [5], ids: i64([2], []) }); // rank-0 result
});
test("GatherElements and GatherND (repeated and negative indices accumulate)", async () => {
  await checkOp("GatherElements", { x: [3, 4], ids: i64([0, 2, 2, -1, 1, 1], [3, 2]) }, { axis: 1 });
  await checkOp("GatherND", { x: A, ids: i64([0, 1, 1, 2, 0, 1], [3, 2]) });
  await checkOp("GatherND", { x: A, ids: i64([-1, 2, 3, 1, 0, 3], [2, 3]) });
});
test("ScatterElements and ScatterND: data and updates (reduction none and add)", async () => {
  await checkOp("ScatterElements", { x: [3, 4], ids: i64([0, 2, 3, 1], [2, 2]), u: [2, 2] }, { axis: 1 });
  await checkOp("ScatterElements", { x: [3, 4], ids: i64([0, 0, 3, 3], [2, 2]), u: [2, 2] }, { axis: -1, reduction: "add" });
  await checkOp("ScatterND", { x: A, ids: i64([1, 2, 0, 0], [2, 2]), u: [2, 4] });
  await checkOp("ScatterND", { x: A, ids: i64([1, 2, 1, 2], [2, 2]), u: [2, 4] }, { reduction: "add" });
});
test("Tile (repeats as a runtime input) and Trilu (upper, lower, k)", async () => {
  await checkOp("Tile", { x: A, reps: i64([2, 1, 3]) });
  await checkOp("Tile", { x: [3], reps: i64([4]) });
  await checkOp("Trilu", { x: [2, 4, 4] });
  await checkOp("Trilu", { x: [3, 5], k: i64([1], []) }, { upper: 0 });
});
test("Pad: constant (added and cropped, value differentiated), reflect, edge, axes (opset 18)", async () => {
  await checkOp("Pad", { x: A, pads: i64([0, 1, -1, 1, 0, 2]), value: [] });
  await checkOp("Pad", { x: [2, 5], pads: i64([1, 2, 1, 3]) }, { mode: "reflect" });
  await checkOp("Pad", { x: [2, 3], pads: i64([2, 1, 0, 3]) }, { mode: "edge" });
  await checkOp("Pad", { x: A, pads: i64([1, 2, 1, 0]), value: undefined, axes: i64([-1, 0]) }, {}, { opset: 18 });
});

test("ReduceSum: axes input, keepdims 0/1, negative axes, all axes, noop_with_empty_axes, empty axes input", async () => {
  await checkOp("ReduceSum", { x: A, axes: i64([1]) }, { keepdims: 0 });
  await checkOp("ReduceSum", { x: A, axes: i64([-1, 0]) }, { keepdims: 1 });
  await checkOp("ReduceSum", { x: A, axes: i64([0, -1]) }, { keepdims: 0 });
  await checkOp("ReduceSum", { x: A }, { keepdims: 0 });
  await checkOp("ReduceSum", { x: A }, { noop_with_empty_axes: 1 });
  await checkOp("ReduceSum", { x: A, axes: i64([]) }, { keepdims: 0 }); // empty at run time: all axes
  await checkOp("ReduceSum", { x: A, axes: i64([]) }, { keepdims: 0, noop_with_empty_axes: 1 }); // …or none
});
test("ReduceMean: axes attribute (opset 13, 17) and input (opset 18), keepdims 0/1, all axes", async () => {
  await checkOp("ReduceMean", { x: A }, { axes: [-1], keepdims: 0 }, { opset: 13 });
  await checkOp("ReduceMean", { x: A }, { axes: [0, 2] });
  await checkOp("ReduceMean", { x: A }, { keepdims: 0 });
  await checkOp("ReduceMean", { x: A, axes: i64([-2]) }, { keepdims: 0 }, { opset: 18 });
});
test("ReduceMax / ReduceMin (distinct values): attribute and input axes, keepdims 0/1", async () => {
  await checkOp("ReduceMax", { x: A }, { axes: [1], keepdims: 0 });
  await checkOp("ReduceMin", { x: A }, { axes: [-1] }, { opset: 13 });
  await checkOp("ReduceMax", { x: A, axes: i64([0, -1]) }, { keepdims: 0 }, { opset: 18 });
  await checkOp("ReduceMin", { x: A }, { keepdims: 0 });
});
test("ReduceL2, ReduceL1, ReduceSumSquare, ReduceLogSumExp, ReduceProd", async () => {
  await checkOp("ReduceL2", { x: A }, { axes: [-1], keepdims: 0 });
  await checkOp("ReduceL1", { x: A }, { axes: [1] });
  await checkOp("ReduceSumSquare", { x: A }, { axes: [0, 2], keepdims: 0 });
  await checkOp("ReduceLogSumExp", { x: A }, { axes: [1], keepdims: 0 });
  await checkOp("ReduceProd", { x: { dims: A, positive: true } }, { axes: [2], keepdims: 0 });
  await checkOp("ReduceL2", { x: A, axes: i64([1]) }, { keepdims: 0 }, { opset: 18 });
});

// --- multi-node graphs --------------------------------------------------------------------

const rng = new Rng(11);
const node = (op: string, input: string[], output: string[], attrs: Record<string, AttrValue> = {}): NodeProto =>
  onnx.NodeProto.create({ opType: op, name: output[0], input, output, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
type Dims = readonly (number | string)[]; // a string is a symbolic dim
const info = (name: string, dims?: Dims, elemType: number = DT.FLOAT) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } : {}) } } });
const model = (nodes: NodeProto[], inputs: Record<string, Dims>, init: TensorProto[] = [], opset = 17, elem: number = DT.FLOAT): ModelProto =>
  onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: opset }],
    graph: { name: "g", node: nodes, initializer: init, input: Object.entries(inputs).map(([n, d]) => info(n, d, elem)), output: [info("y", undefined, elem)] },
  });
const session = (m: ModelProto) => ort.InferenceSession.create(onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish(), { logSeverityLevel: 3 });
const randn = (dims: readonly number[]) => new ort.Tensor("float32", Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal()), [...dims]);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

const sessions = new WeakMap<ModelProto, Promise<ort.InferenceSession[]>>();
/** y, a random ȳ, x̄ from the VJP model, and the objective v ↦ ⟨ȳ, f(v)⟩, for a float32 graph x → y (one session pair per model). */
async function vjpOf(m: ModelProto, x: ort.Tensor) {
  if (!sessions.has(m)) sessions.set(m, Promise.all([session(m), session(vjpModel(m, { wrt: ["x"] }))]));
  const [fwd, bwd] = (await sessions.get(m))!;
  const y = (await fwd.run({ x })).y!;
  const gy = randn(y.dims);
  const gx = (await bwd.run({ x, grad_y: gy })).grad_x!.data as Float32Array;
  const objective = async (v: Float32Array) => dot(gy.data as Float32Array, (await fwd.run({ x: new ort.Tensor("float32", v, x.dims) })).y!.data as Float32Array);
  return { y, gy: gy.data as Float32Array, gx, objective };
}

/** The graph's VJP against central differences along random directions (float32; relative to the gradient's scale). */
async function checkGraph(m: ModelProto, dims: readonly number[], tol = 1e-2) {
  const x = randn(dims);
  const { gx, objective } = await vjpOf(m, x);
  const scale = Math.max(...gx.map(Math.abs));
  assert.ok(scale > 1e-6, "the VJP is zero");
  const eps = 1e-2;
  for (let k = 0; k < 4; k++) {
    const d = Float32Array.from(gx, () => rng.normal());
    const at = (s: number) => Float32Array.from(x.data as Float32Array, (v, i) => v + s * eps * d[i]!);
    const numeric = ((await objective(at(1))) - (await objective(at(-1)))) / (2 * eps);
    assert.ok(Math.abs(numeric - dot(gx, d)) <= tol * scale * Math.sqrt(gx.length), `direction ${k}: finite difference ${numeric} vs VJP ${dot(gx, d)}`);
  }
}

test("y = 3x + RandomNormalLike(x)·0.5: the noise is a constant of each evaluation, x̄ = 3ȳ exactly", async () => {
  const m = model(
    [node("RandomNormalLike", ["x"], ["n"]), node("Mul", ["n", "half"], ["ns"]), node("Mul", ["x", "three"], ["x3"]), node("Add", ["x3", "ns"], ["y"])],
    { x: [2, 5] },
    [{ ...floatTensor([0.5], []), name: "half" }, { ...floatTensor([3], []), name: "three" }],
  );
  const { gy, gx } = await vjpOf(m, randn([2, 5]));
  gx.forEach((v, i) => assert.equal(v, Math.fround(3 * gy[i]!)));
});

test("x → Shape → Gather(dim 0) → Concat(−1) → Reshape(x, ·) → ReduceSum, ×x: the shape path is not differentiated", async () => {
  const m = model(
    [
      node("Shape", ["x"], ["s"]),
      node("Gather", ["s", "zero"], ["d0"], { axis: 0 }),
      node("Concat", ["d0", "minus1"], ["shape2"], { axis: 0 }),
      node("Reshape", ["x", "shape2"], ["r"]),
      node("Mul", ["r", "r"], ["sq"]),
      node("Constant", [], ["axes"], { value: { t: int64Tensor([1]) } }),
      node("ReduceSum", ["sq", "axes"], ["y"], { keepdims: 0 }),
    ],
    { x: [2, 3, 4] },
    [{ ...int64Tensor([0]), name: "zero" }, { ...int64Tensor([-1]), name: "minus1" }],
  );
  await checkGraph(m, [2, 3, 4]);
});

test("Cast to int64 stops the gradient: y = x · float(int(x)) has x̄ = ȳ · float(int(x))", async () => {
  const m = model([node("Cast", ["x"], ["xi"], { to: DT.INT64 }), node("Cast", ["xi"], ["xf"], { to: DT.FLOAT }), node("Mul", ["x", "xf"], ["y"])], { x: [3, 4] });
  const x = new ort.Tensor("float32", Float32Array.from({ length: 12 }, (_, i) => i * 0.7 - 4.1 + 0.05), [3, 4]);
  const { gy, gx } = await vjpOf(m, x);
  gx.forEach((v, i) => assert.equal(v + 0, Math.fround(gy[i]! * Math.trunc((x.data as Float32Array)[i]!)) + 0));
});

test("Split → different weights → Concat → Slice(step −1, ends INT64_MIN) → Gather (all outputs get cotangents)", async () => {
  const m = model(
    [
      node("Split", ["x", "sizes"], ["a", "b", "c"], { axis: 1 }),
      node("Mul", ["b", "b"], ["b2"]),
      node("Exp", ["c"], ["c2"]),
      node("Concat", ["c2", "a", "b2"], ["cat"], { axis: -1 }),
      node("Slice", ["cat", "starts", "ends", "axes", "steps"], ["sl"]),
      node("Gather", ["sl", "ids"], ["y"], { axis: 1 }),
    ],
    { x: [2, 6] },
    [
      { ...int64Tensor([1, 2, 3]), name: "sizes" },
      { ...int64Tensor([-1]), name: "starts" },
      { ...int64Tensor([0]), name: "ends", rawData: new Uint8Array(BigInt64Array.of(-(2n ** 63n)).buffer) }, // INT64_MIN, as torch.flip exports it
      { ...int64Tensor([1]), name: "axes" },
      { ...int64Tensor([-1]), name: "steps" },
      { ...int64Tensor([0, 5, 5, -2], [2, 2]), name: "ids" },
    ],
    13,
  );
  await checkGraph(m, [2, 6]);
});

test("ReduceMax / ReduceMin with ties share the cotangent equally", async () => {
  for (const op of ["ReduceMax", "ReduceMin"]) {
    const m = model([node(op, ["x"], ["y"], { axes: [1], keepdims: 0 })], { x: [2, 4] }, [], 13);
    const x = new ort.Tensor("float32", Float32Array.from([1, 3, 3, 2, -1, -1, -1, 0]), [2, 4]);
    const { gy, gx } = await vjpOf(m, x);
    const expected = op === "ReduceMax" ? [0, gy[0]! / 2, gy[0]! / 2, 0, 0, 0, 0, gy[1]!] : [gy[0]!, 0, 0, 0, gy[1]! / 3, gy[1]! / 3, gy[1]! / 3, 0];
    gx.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${op}: x̄[${i}] = ${v}, expected ${expected[i]}`));
  }
});

test("float16 Gather with repeated and negative int32 indices accumulates (scatter-add runs in float32)", async () => {
  const ids = onnx.TensorProto.create({ name: "ids", dims: [4], dataType: DT.INT32, int32Data: [1, 1, 0, -1] });
  const m = model([node("Gather", ["x", "ids"], ["y"], { axis: 0 })], { x: [5, 3] }, [ids], 17, DT.FLOAT16);
  const bwd = await session(vjpModel(m, { wrt: ["x"] }));
  const [one, two] = [0x3c00, 0x4000]; // 1 and 2 in float16
  const feeds = { x: new ort.Tensor("float16", new Uint16Array(15), [5, 3]), grad_y: new ort.Tensor("float16", new Uint16Array(12).fill(one), [4, 3]) };
  const gx = (await bwd.run(feeds)).grad_x!.data as Uint16Array;
  assert.deepEqual([...gx], [one, one, one, two, two, two, 0, 0, 0, 0, 0, 0, one, one, one]);
});

test("symbolic dims: one VJP graph serves x of [2, 5, 4] and [3, 7, 4] (Transpose → Slice → Gather → Pad → ReduceSum)", async () => {
  const m = model(
    [
      node("Transpose", ["x"], ["t"], { perm: [0, 2, 1] }),
      node("Slice", ["t", "one", "minus1", "minus1"], ["s"]),
      node("Gather", ["s", "ids"], ["gth"], { axis: 1 }),
      node("Pad", ["gth", "pads"], ["p"]),
      node("Mul", ["p", "p"], ["sq"]),
      node("ReduceSum", ["sq", "one"], ["y"], { keepdims: 0 }),
    ],
    { x: ["batch", "tokens", 4] },
    [{ ...int64Tensor([1]), name: "one" }, { ...int64Tensor([-1]), name: "minus1" }, { ...int64Tensor([0, 3, 0]), name: "ids" }, { ...int64Tensor([0, 1, 0, 0, 0, 2]), name: "pads" }],
  );
  await checkGraph(m, [2, 5, 4]);
  await checkGraph(m, [3, 7, 4]);
});
