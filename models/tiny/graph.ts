/**
 * A small ONNX graph builder for the tiny profile (and for other stages' tiny graphs, e.g.
 * models/tiny/animation.ts). Graphs are built in a fixed order from a seeded Rng and
 * serialised without timestamps or host data, so the same seed gives the same bytes.
 *
 *   const g = new GraphBuilder("tiny_unet", Rng.derive(seed, "unet"));
 *   const x = g.input("sample", "float32", ["batch", 4, "height", "width"]);
 *   const h = g.tanh(g.conv(x, 4, 16, { kernel: 3, pad: 1 }));
 *   g.output(g.conv(h, 16, 4, { kernel: 3, pad: 1 }, "out_sample"), "float32", ["batch", 4, "height", "width"]);
 *   const bytes = g.toBytes();
 */
import onnxProto from "onnx-proto";
import { Rng } from "../../src/engine/util/rng.js";

const { onnx } = onnxProto;

/** Opset 14 is what the SD1.5 exporters default to; every op used here exists there. */
export const OPSET = 14;
/** IR 8 is the newest onnx-proto knows; onnxruntime ≥ 1.10 reads it. */
export const IR_VERSION = 8;

export type ElemType = "float32" | "float16" | "int32" | "int64";
export type Dim = number | string;

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

export interface ConvOptions {
  kernel: number;
  stride?: number;
  pad?: number;
  /** Std of the weight init; default He-like 1/sqrt(fan-in). */
  std?: number;
  bias?: boolean;
}

type AttrValue = number | number[] | string;

export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    readonly rng: Rng,
  ) {}

  /** A fresh value name (deterministic: a counter, never a random id). */
  fresh(prefix = "v"): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** A float32 initializer from explicit values. */
  constant(dims: readonly number[], values: ArrayLike<number>, prefix = "const"): string {
    const name = this.fresh(prefix);
    const data = Float32Array.from(values as ArrayLike<number>);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`constant ${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ELEM.float32,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  /** An int64 initializer (shapes, axes, indices). */
  int64s(values: readonly number[], dims: readonly number[] = [values.length], prefix = "ints"): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ELEM.int64,
        rawData: new Uint8Array(data.buffer),
      }),
    );
    return name;
  }

  /** A float32 initializer of seeded normals × std. */
  normal(dims: readonly number[], std: number, prefix = "w"): string {
    return this.constant(dims, this.draw(dims, std), prefix);
  }

  /** Seeded normals × std without adding an initializer (keeps streams aligned across graphs). */
  draw(dims: readonly number[], std: number): Float32Array {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.rng.normal() * std;
    return values;
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        name: `${op}_${this.nodes.length}`,
        input: [...inputs],
        output: [out],
        attribute: Object.keys(attrs)
          .sort()
          .map((k) => attribute(k, attrs[k]!)),
      }),
    );
    return out;
  }

  // --- layers -------------------------------------------------------------------------

  /** Conv2d, weight [cout, cin, k, k] (+ bias [cout]). */
  conv(x: string, cin: number, cout: number, o: ConvOptions, output?: string): string {
    const std = o.std ?? 1 / Math.sqrt(cin * o.kernel * o.kernel);
    const w = this.normal([cout, cin, o.kernel, o.kernel], std, "conv_w");
    return this.convWith(x, w, o, o.bias === false ? undefined : this.normal([cout], 0.05, "conv_b"), output);
  }

  /** Conv2d with an existing weight (used by VJP graphs that reuse a transposed conv's weight). */
  convWith(x: string, weight: string, o: ConvOptions, bias?: string, output?: string): string {
    return this.convNode("Conv", x, weight, o, bias, output);
  }

  /** ConvTranspose2d, weight [cin, cout, k, k] (+ bias [cout]). */
  convTranspose(x: string, cin: number, cout: number, o: ConvOptions, output?: string): string {
    const s = o.stride ?? 1;
    const std = o.std ?? 1 / Math.sqrt(cin * (o.kernel / s) * (o.kernel / s));
    const w = this.normal([cin, cout, o.kernel, o.kernel], std, "convt_w");
    return this.convTransposeWith(x, w, o, o.bias === false ? undefined : this.normal([cout], 0.05, "convt_b"), output);
  }

  convTransposeWith(x: string, weight: string, o: ConvOptions, bias?: string, output?: string): string {
    return this.convNode("ConvTranspose", x, weight, o, bias, output);
  }

  private convNode(op: "Conv" | "ConvTranspose", x: string, weight: string, o: ConvOptions, bias?: string, output?: string): string {
    const s = o.stride ?? 1;
    const p = o.pad ?? 0;
    const inputs = bias ? [x, weight, bias] : [x, weight];
    return this.node(op, inputs, { kernel_shape: [o.kernel, o.kernel], strides: [s, s], pads: [p, p, p, p] }, output);
  }

  /** x [.., n] @ W [n, m] (+ b [m]). */
  linear(x: string, n: number, m: number, { std = 1 / Math.sqrt(n), bias = true } = {}, output?: string): string {
    const w = this.normal([n, m], std, "lin_w");
    if (!bias) return this.node("MatMul", [x, w], {}, output);
    return this.add(this.node("MatMul", [x, w]), this.normal([m], 0.05, "lin_b"), output);
  }

  add(a: string, b: string, output?: string): string {
    return this.node("Add", [a, b], {}, output);
  }
  sub(a: string, b: string, output?: string): string {
    return this.node("Sub", [a, b], {}, output);
  }
  mul(a: string, b: string, output?: string): string {
    return this.node("Mul", [a, b], {}, output);
  }
  tanh(x: string, output?: string): string {
    return this.node("Tanh", [x], {}, output);
  }
  relu(x: string, output?: string): string {
    return this.node("Relu", [x], {}, output);
  }
  sigmoid(x: string, output?: string): string {
    return this.node("Sigmoid", [x], {}, output);
  }
  sin(x: string, output?: string): string {
    return this.node("Sin", [x], {}, output);
  }
  cos(x: string, output?: string): string {
    return this.node("Cos", [x], {}, output);
  }
  identity(x: string, output?: string): string {
    return this.node("Identity", [x], {}, output);
  }
  cast(x: string, to: ElemType, output?: string): string {
    return this.node("Cast", [x], { to: ELEM[to] }, output);
  }
  gather(table: string, indices: string, axis = 0, output?: string): string {
    return this.node("Gather", [table, indices], { axis }, output);
  }
  reshape(x: string, shape: readonly number[], output?: string): string {
    return this.node("Reshape", [x, this.int64s(shape, [shape.length], "shape")], {}, output);
  }
  unsqueeze(x: string, axes: readonly number[], output?: string): string {
    return this.node("Unsqueeze", [x, this.int64s(axes, [axes.length], "axes")], {}, output);
  }
  concat(xs: readonly string[], axis: number, output?: string): string {
    return this.node("Concat", xs, { axis }, output);
  }
  flatten(x: string, axis = 1, output?: string): string {
    return this.node("Flatten", [x], { axis }, output);
  }
  /** Opset-14 ReduceMean (axes as an attribute). */
  mean(x: string, axes: readonly number[], keepdims = false, output?: string): string {
    return this.node("ReduceMean", [x], { axes: [...axes], keepdims: keepdims ? 1 : 0 }, output);
  }
  /** 1 − y² : the derivative of tanh expressed through its output y. */
  tanhDerivFromOutput(y: string): string {
    return this.sub(this.constant([1], [1], "one"), this.mul(y, y));
  }

  toModel(): InstanceType<typeof onnx.ModelProto> {
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: "dreamface-tiny",
      producerVersion: "1",
      domain: "dreamface.tiny",
      modelVersion: 1,
      docString: "DreamFace tiny profile: seeded random weights. Outputs are test signals, not faces.",
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: "", version: OPSET })],
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
  }

  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(this.toModel()).finish();
  }
}

function valueInfo(name: string, type: ElemType, dims: readonly Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEM[type],
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === "number" ? onnx.TensorShapeProto.Dimension.create({ dimValue: d }) : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

function attribute(name: string, value: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: value });
  return onnx.AttributeProto.create({ name, type: T.INT, i: value });
}

/** Decodes an ONNX file's declared graph inputs/outputs (names, dtypes, dims) without a runtime. */
export interface Signature {
  inputs: { name: string; dtype: string; dims: Dim[] }[];
  outputs: { name: string; dtype: string; dims: Dim[] }[];
  initializerNames: Set<string>;
}

export function readSignature(bytes: Uint8Array): Signature {
  return signatureOf(onnx.ModelProto.decode(bytes));
}

/** The same from an already decoded model (large files are decoded once). */
export function signatureOf(model: onnxProto.onnx.IModelProto): Signature {
  const graph = model.graph;
  if (!graph) throw new Error("no graph in model");
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ""));
  const names: Record<number, string> = Object.fromEntries(Object.entries(ELEM).map(([k, v]) => [v, k]));
  const info = (v: onnxProto.onnx.IValueInfoProto) => {
    const t = v.type?.tensorType;
    return {
      name: v.name ?? "",
      dtype: t?.elemType != null ? (names[t.elemType] ?? (onnx.TensorProto.DataType[t.elemType]?.toLowerCase() || `onnx-type-${t.elemType}`)) : "unknown",
      dims: (t?.shape?.dim ?? []).map((d): Dim => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))),
    };
  };
  return {
    // Older exporters list initializers among the inputs; they are not feeds.
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? "")).map(info),
    outputs: (graph.output ?? []).map(info),
    initializerNames,
  };
}
