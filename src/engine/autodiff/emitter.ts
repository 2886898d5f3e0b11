/**
 * Writes the backward nodes of a VJP graph. Shapes are never assumed: every shape-dependent
 * step (un-broadcasting, reshaping back, padding back) is computed in the graph from `Shape`
 * of the forward values, so the VJP keeps the forward's symbolic dims (batch, height, width).
 * Float constants are emitted as float32 and cast with CastLike to the dtype of the value they
 * meet, so the same rules serve float32, float16 and float64 graphs.
 */
import { attribute, floatTensor, int64Tensor, onnx, type AttrValue, type NodeProto } from "./proto.js";

export class Emitter {
  readonly nodes: NodeProto[] = [];
  private counter = 0;
  private readonly shapes = new Map<string, string>();

  /**
   * @param opset the VJP graph's default-domain opset (≥ 16)
   * @param taken names already used by the forward graph (never reused)
   */
  constructor(
    readonly opset: number,
    private readonly taken: Set<string>,
  ) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    let name: string;
    do name = `vjp/${hint}_${this.counter++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }

  /** Emits one node; returns its first output. `outputs` may name outputs explicitly. */
  op(type: string, inputs: readonly (string | undefined)[], attrs: Record<string, AttrValue | undefined> = {}, outputs?: readonly string[]): string {
    return this.opN(type, inputs, attrs, outputs ?? 1)[0]!;
  }

  /** Emits one node with `n` outputs (or the given names). */
  opN(type: string, inputs: readonly (string | undefined)[], attrs: Record<string, AttrValue | undefined> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === "number" ? Array.from({ length: outputs }, () => this.fresh(type.toLowerCase())) : [...outputs];
    // Trailing optional inputs are dropped; inner ones stay as "" (ONNX's "not given").
    const ins = inputs.map((i) => i ?? "");
    while (ins.length && ins[ins.length - 1] === "") ins.pop();
    this.nodes.push(
      onnx.NodeProto.create({
        opType: type,
        name: this.fresh(`${type}_node`),
        input: ins,
        output: outs,
        attribute: Object.entries(attrs)
          .filter((e): e is [string, AttrValue] => e[1] !== undefined)
          .map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  // --- constants ------------------------------------------------------------------------

  /** A float32 constant (scalar when dims = []). */
  constF(values: number | readonly number[], dims?: readonly number[]): string {
    const v = typeof values === "number" ? [values] : values;
    return this.op("Constant", [], { value: { t: floatTensor(v, dims ?? (typeof values === "number" ? [] : [v.length])) } });
  }
  /** An int64 constant, 1-D by default (scalar when dims = []). */
  constI(values: readonly number[], dims?: readonly number[]): string {
    return this.op("Constant", [], { value: { t: int64Tensor(values, dims ?? [values.length]) } });
  }
  /** A scalar of `ref`'s dtype. */
  scalarLike(value: number, ref: string): string {
    return this.op("CastLike", [this.constF(value, []), ref]);
  }
  /** Zeros of `ref`'s shape and dtype. */
  zerosLike(ref: string): string {
    return this.op("CastLike", [this.op("ConstantOfShape", [this.shape(ref)]), ref]);
  }

  // --- arithmetic -----------------------------------------------------------------------

  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }
  div(a: string, b: string): string {
    return this.op("Div", [a, b]);
  }
  neg(a: string): string {
    return this.op("Neg", [a]);
  }
  /** Sum of several contributions (one → itself). */
  sum(xs: readonly string[]): string {
    return xs.length === 1 ? xs[0]! : this.op("Sum", xs);
  }

  // --- shapes ---------------------------------------------------------------------------

  /** Shape(x), memoised per value. */
  shape(x: string): string {
    let s = this.shapes.get(x);
    if (!s) this.shapes.set(x, (s = this.op("Shape", [x])));
    return s;
  }
  /** Reshape(x, Shape(like)). */
  reshapeLike(x: string, like: string): string {
    return this.op("Reshape", [x, this.shape(like)]);
  }
  /** Dim `axis` of x as an int64 [1] tensor. */
  dim(x: string, axis: number): string {
    return this.op("Gather", [this.shape(x), this.constI([axis])], { axis: 0 });
  }

  /** ReduceSum over `axes` (a list, or an int64 tensor name; empty list/tensor = no-op). */
  reduceSum(x: string, axes: readonly number[] | string, keepdims: boolean): string {
    const a = typeof axes === "string" ? axes : this.constI(axes);
    return this.op("ReduceSum", [x, a], { keepdims: keepdims ? 1 : 0, noop_with_empty_axes: 1 });
  }
  /** ReduceMean over `axes` (axes became an input at opset 18). */
  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    if (this.opset >= 18) return this.op("ReduceMean", [x, this.constI(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op("ReduceMean", [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /**
   * Un-broadcasts `grad` to the shape of `like` (numpy rules): sums over the leading axes
   * `like` lacks and over the axes where `like` has 1 and `grad` does not. All in-graph.
   */
  sumTo(grad: string, like: string): string {
    const sx = this.shape(like);
    const sg = this.shape(grad);
    const missing = this.op("Sub", [this.op("Size", [sg]), this.op("Size", [sx])]); // rank(grad) − rank(like), a scalar
    const ones = this.op("ConstantOfShape", [this.op("Reshape", [missing, this.constI([1])])], { value: { t: int64Tensor([1], [1]) } });
    const padded = this.op("Concat", [ones, sx], { axis: 0 });
    const differ = this.op("Not", [this.op("Equal", [padded, sg])]);
    const axes = this.op("Reshape", [this.op("NonZero", [differ]), this.constI([-1])]);
    return this.op("Reshape", [this.reduceSum(grad, axes, true), sx]);
  }
}
