// ONNX glue for the one finite-difference checker (test/helpers/gradcheck.ts, teenygrad style:
// each op's test is a line). It builds a one-node forward graph (or takes a whole model),
// derives its VJP graph with vjpModel, runs both in onnxruntime-node, and hands them to
// gradcheckDirectional, which compares, PER INPUT, the VJP with central finite differences of
// ⟨ȳ, f(x)⟩ along random directions v ~ N(0, I) and at single coordinates. A zero gradient for
// any checked input fails, so a rule that drops one input cannot pass on the others' probes.
//
// The error is the shared checker's: |numeric − analytic| less the float rounding bound, over
// max(|analytic|, |numeric|, ‖g‖₂ of that input); the raw error (no rounding allowance) is
// reported beside it. float64 graphs (where onnxruntime has the kernel) are checked to 1e-6;
// float32 ones to the tolerance the test states.
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { Rng } from "../../src/engine/util/rng.js";
import { describe, gradcheckDirectional, type Floats } from "./gradcheck.js";
import { vjpModel } from "../../src/engine/autodiff/vjp.js";
import { attribute, DT, onnx, type AttrValue, type ModelProto } from "../../src/engine/autodiff/proto.js";

export type FloatType = "float32" | "float64";

export interface OpInput {
  dims: readonly number[];
  /** Default: the check's float type. int64 inputs are never differentiated. */
  dtype?: FloatType | "int64" | "bool";
  /** Explicit values (default: seeded normals, or `positive` ones). */
  data?: readonly number[];
  /** Differentiate w.r.t. this float input (default true). */
  wrt?: boolean;
  /** Draw |normal| + 0.5 instead of normals (Log, Sqrt, Pow bases, divisors). */
  positive?: boolean;
}

export interface CheckOptions {
  dtype?: FloatType;
  /** Number of outputs of the op (default 1); the cotangent is given for `output`. */
  outputs?: number;
  output?: number;
  /** Max relative error (see the header). Default 1e-6 for float64, 1e-2 for float32. */
  tol?: number;
  /** Finite-difference step (default 1e-5 for float64, 1e-2 for float32). */
  eps?: number;
  opset?: number;
  seed?: number;
  /** Random directions per input (default 3) and single coordinates per input (default 3). */
  directions?: number;
  coordinates?: number;
  /** An input whose VJP is zero by construction (e.g. a bias after a normalisation): skip the non-zero check. */
  zeroOk?: readonly string[];
}

const ELEM = { float32: DT.FLOAT, float64: DT.DOUBLE, int64: DT.INT64, bool: DT.BOOL } as const;

type Spec = readonly number[] | OpInput | undefined;

/** Checks op `op` with the given inputs (in order; `undefined` = optional input left out). */
export async function checkOp(op: string, inputs: Record<string, Spec>, attrs: Record<string, AttrValue> = {}, options: CheckOptions = {}): Promise<void> {
  const dtype = options.dtype ?? "float64";
  const rng = new Rng(options.seed ?? 7);
  const specs = Object.entries(inputs).map(([name, s]) => [name, s === undefined ? undefined : Array.isArray(s) ? ({ dims: s } as OpInput) : (s as OpInput)] as const);
  const feeds = new Map<string, { type: FloatType | "int64" | "bool"; dims: readonly number[]; data: Float64Array }>();
  for (const [name, s] of specs) {
    if (!s) continue;
    const type = s.dtype ?? dtype;
    const n = s.dims.reduce((a, b) => a * b, 1);
    const data = s.data ? Float64Array.from(s.data) : Float64Array.from({ length: n }, () => (s.positive ? Math.abs(rng.normal()) + 0.5 : rng.normal()));
    if (data.length !== n) throw new Error(`${op}: input ${name} has ${data.length} values for dims [${s.dims}]`);
    feeds.set(name, { type, dims: s.dims, data });
  }
  const isFloat = (t: string) => t === "float32" || t === "float64";
  const wrt = specs.filter(([, s]) => s && isFloat(s.dtype ?? dtype) && s.wrt !== false).map(([name]) => name);
  const nOut = options.outputs ?? 1;
  const outName = `y${options.output ?? 0}`;
  const forward = oneNodeModel(op, specs.map(([name, s]) => (s ? name : "")), nOut, attrs, feeds, dtype, options.opset ?? 17);
  const fwd = await session(forward);
  const bwd = await session(vjpModel(forward, { wrt, output: outName }));

  // The checker perturbs `x` (copies of the wrt inputs) in place; the other feeds stay at their values.
  const x: Record<string, Float64Array> = Object.fromEntries(wrt.map((name) => [name, feeds.get(name)!.data.slice()]));
  const values = () => new Map([...feeds].map(([k, v]) => [k, x[k] ?? v.data]));
  let dims: readonly number[] = [];
  const forwardFn = async () => {
    const y = (await fwd.run(toOrt(feeds, values())))[outName]!;
    dims = y.dims;
    return { out: y.data as Floats };
  };
  const backwardFn = async (_: unknown, gy: Float32Array) => {
    const grads = await bwd.run({ ...toOrt(feeds, values()), [`grad_${outName}`]: new ort.Tensor(dtype, dtype === "float64" ? Float64Array.from(gy) : gy, [...dims]) });
    return Object.fromEntries(wrt.map((name) => [name, grads[`grad_${name}`]!.data as Floats]));
  };
  assert.ok(wrt.length > 0, `${op}: no float input to check`);
  const r = await gradcheckDirectional(forwardFn, backwardFn, x, {
    eps: options.eps ?? (dtype === "float64" ? 1e-5 : 1e-2),
    tol: options.tol ?? (dtype === "float64" ? 1e-6 : 1e-2),
    directions: options.directions ?? 3,
    coordinates: options.coordinates ?? 3,
    normalize: false,
    floor: 1,
    seed: options.seed ?? 7,
    zeroOk: options.zeroOk,
  });
  assert.ok(r.ok, `${op}: VJP differs from finite differences: ${describe(r)}`);
}

function oneNodeModel(op: string, names: readonly string[], nOut: number, attrs: Record<string, AttrValue>, feeds: Map<string, { type: keyof typeof ELEM; dims: readonly number[] }>, dtype: FloatType, opset: number): ModelProto {
  const info = (name: string, type: keyof typeof ELEM, dims?: readonly number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: ELEM[type],
          ...(dims ? { shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }) } : {}),
        }),
      }),
    });
  const outputs = Array.from({ length: nOut }, (_, k) => `y${k}`);
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: opset })],
    graph: onnx.GraphProto.create({
      name: `check_${op}`,
      node: [onnx.NodeProto.create({ opType: op, name: op, input: [...names], output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) })],
      input: [...feeds].map(([name, f]) => info(name, f.type, f.dims)),
      output: outputs.map((o) => info(o, dtype)),
    }),
  });
}

function toOrt(feeds: Map<string, { type: keyof typeof ELEM; dims: readonly number[] }>, values: Map<string, Float64Array>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, f] of feeds) {
    const v = values.get(name)!;
    const data =
      f.type === "float64" ? v : f.type === "float32" ? Float32Array.from(v) : f.type === "int64" ? BigInt64Array.from(v, (x) => BigInt(x)) : Uint8Array.from(v, (x) => (x ? 1 : 0));
    out[name] = new ort.Tensor(f.type === "bool" ? "bool" : f.type, data, [...f.dims]);
  }
  return out;
}

async function session(model: ModelProto): Promise<ort.InferenceSession> {
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  return ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
}

export interface ModelCheckOptions {
  /** Float32 inputs by name ([dims, values]); every graph input must be given. */
  feeds: Record<string, { dims: readonly number[]; data: Float32Array }>;
  wrt: readonly string[];
  output: string;
  tol: number;
  eps: number;
  directions?: number;
  seed?: number;
}

/**
 * A whole float32 graph's VJP against central finite differences of ⟨ȳ, f(x)⟩ along random
 * directions d ~ N(0, I), per `wrt` input, by the shared checker (error over
 * max(|⟨g, d⟩|, |numeric|, ‖g‖₂): ‖g‖₂ is the standard deviation of ⟨g, d⟩ over such
 * directions). Returns the worst error per input.
 */
export async function checkModelVjp(model: ModelProto, o: ModelCheckOptions): Promise<Record<string, number>> {
  const fwd = await session(model);
  const bwd = await session(vjpModel(model, { wrt: o.wrt, output: o.output }));
  const x: Record<string, Float32Array> = Object.fromEntries(o.wrt.map((name) => [name, o.feeds[name]!.data.slice()]));
  const ortFeeds = () => Object.fromEntries(Object.entries(o.feeds).map(([k, f]) => [k, new ort.Tensor("float32", x[k] ?? f.data, [...f.dims])]));
  let dims: readonly number[] = [];
  const forwardFn = async () => {
    const y = (await fwd.run(ortFeeds()))[o.output]!;
    dims = y.dims;
    return { out: y.data as Float32Array };
  };
  const backwardFn = async (_: unknown, gy: Float32Array) => {
    const grads = await bwd.run({ ...ortFeeds(), [`grad_${o.output}`]: new ort.Tensor("float32", gy, [...dims]) });
    return Object.fromEntries(o.wrt.map((name) => [name, grads[`grad_${name}`]!.data as Float32Array]));
  };
  const r = await gradcheckDirectional(forwardFn, backwardFn, x, { eps: o.eps, tol: o.tol, directions: o.directions ?? 3, normalize: false, floor: 1, seed: o.seed ?? 11 });
  assert.ok(r.ok, `VJP differs from finite differences: ${describe(r)}`);
  const out: Record<string, number> = {};
  for (const p of r.probes) out[p.input] = Math.max(out[p.input] ?? 0, p.relError);
  return out;
}
