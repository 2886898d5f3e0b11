// The one checker for the ONNX autodiff (teenygrad style: each op's test is a line).
// It builds a one-node forward graph, derives its VJP graph with vjpModel, runs both in
// onnxruntime-node and compares, PER INPUT, the VJP with central finite differences of
// ⟨ȳ, f(x)⟩ along random directions and at single coordinates. A zero gradient for any
// checked input fails, so a rule that drops one input cannot pass on the others' probes.
//
// The error reported is max over probes of |numeric − analytic| / max|analytic of that input|
// (the scale of the input's gradient): raw, no rounding allowance. float64 graphs (where
// onnxruntime has the kernel) are checked to 1e-6; float32 ones to the tolerance the test states.
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { Rng } from "../../src/engine/util/rng.js";
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
  /** Max error (see the header). Default 1e-6 for float64, 1e-2 for float32. */
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

interface InputReport {
  input: string;
  probes: number;
  /** max |numeric − analytic| / max |analytic|. */
  error: number;
  gradScale: number;
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

  const run = async (values: Map<string, Float64Array>) => (await fwd.run(toOrt(feeds, values)))[outName]!;
  const base = new Map([...feeds].map(([k, v]) => [k, v.data]));
  const y = await run(base);
  const gy = Float64Array.from({ length: y.data.length }, () => rng.normal());
  const gyTensor = new ort.Tensor(dtype, dtype === "float64" ? gy : Float32Array.from(gy), y.dims);
  const grads = await bwd.run({ ...toOrt(feeds, base), [`grad_${outName}`]: gyTensor });
  const objective = async (values: Map<string, Float64Array>) => dot(gy, (await run(values)).data as Float32Array | Float64Array);

  const eps = options.eps ?? (dtype === "float64" ? 1e-5 : 1e-2);
  const tol = options.tol ?? (dtype === "float64" ? 1e-6 : 1e-2);
  const reports: InputReport[] = [];
  for (const name of wrt) {
    const grad = Float64Array.from(grads[`grad_${name}`]!.data as Float32Array | Float64Array);
    const x = feeds.get(name)!.data;
    assert.equal(grad.length, x.length, `${op}: grad_${name} has ${grad.length} values, input has ${x.length}`);
    const scale = Math.max(...grad.map(Math.abs));
    if (!options.zeroOk?.includes(name)) assert.ok(scale > 1e-9, `${op}: the VJP w.r.t. "${name}" is zero`);
    const dirs: Float64Array[] = [];
    for (let k = 0; k < (options.directions ?? 3); k++) dirs.push(Float64Array.from(x, () => rng.normal()));
    for (let k = 0; k < Math.min(options.coordinates ?? 3, x.length); k++) {
      const d = new Float64Array(x.length);
      d[rng.int(0, x.length - 1)] = 1;
      dirs.push(d);
    }
    let error = 0;
    for (const d of dirs) {
      const shifted = (s: number) => new Map(base).set(name, x.map((v, i) => v + s * eps * d[i]!));
      const numeric = ((await objective(shifted(1))) - (await objective(shifted(-1)))) / (2 * eps);
      const analytic = dot(grad, d);
      error = Math.max(error, Math.abs(numeric - analytic) / Math.max(scale, 1e-12));
    }
    reports.push({ input: name, probes: dirs.length, error, gradScale: scale });
    assert.ok(error <= tol, `${op}: VJP w.r.t. "${name}" differs from finite differences by ${error.toExponential(2)} of its scale ${scale.toExponential(2)} (tolerance ${tol})`);
  }
  assert.ok(reports.length > 0, `${op}: no float input to check`);
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

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
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
 * directions d ~ N(0, I), per `wrt` input. The error is |numeric − ⟨g, d⟩| / ‖g‖₂ (‖g‖₂ is the
 * standard deviation of ⟨g, d⟩ over such directions). Returns the worst error per input.
 */
export async function checkModelVjp(model: ModelProto, o: ModelCheckOptions): Promise<Record<string, number>> {
  const rng = new Rng(o.seed ?? 11);
  const fwd = await session(model);
  const bwd = await session(vjpModel(model, { wrt: o.wrt, output: o.output }));
  const ortFeeds = (vals: Record<string, Float32Array>) => Object.fromEntries(Object.entries(o.feeds).map(([k, f]) => [k, new ort.Tensor("float32", vals[k] ?? f.data, [...f.dims])]));
  const y = (await fwd.run(ortFeeds({})))[o.output]!;
  const gy = Float32Array.from({ length: y.data.length }, () => rng.normal());
  const grads = await bwd.run({ ...ortFeeds({}), [`grad_${o.output}`]: new ort.Tensor("float32", gy, y.dims) });
  const out: Record<string, number> = {};
  for (const name of o.wrt) {
    const x = o.feeds[name]!.data;
    const grad = grads[`grad_${name}`]!.data as Float32Array;
    assert.equal(grad.length, x.length, `grad_${name} has ${grad.length} values, input ${x.length}`);
    const scale = Math.max(...Array.from(grad, Math.abs));
    assert.ok(scale > 1e-9, `the VJP w.r.t. "${name}" is zero`);
    let error = 0;
    for (let k = 0; k < (o.directions ?? 3); k++) {
      const d = Float32Array.from(x, () => rng.normal());
      const at = async (s: number) => dot(gy, (await fwd.run(ortFeeds({ [name]: x.map((v, i) => v + s * o.eps * d[i]!) })))[o.output]!.data as Float32Array);
      const numeric = ((await at(1)) - (await at(-1))) / (2 * o.eps);
      error = Math.max(error, Math.abs(numeric - dot(grad, d)) / Math.max(Math.sqrt(dot(grad, grad)), 1e-12));
    }
    assert.ok(error <= o.tol, `VJP w.r.t. "${name}" differs from finite differences by ${error.toExponential(2)} (tolerance ${o.tol})`);
    out[name] = error;
  }
  return out;
}
