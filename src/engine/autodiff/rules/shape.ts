/**
 * Data-movement and reduction ops (reshapes, slices, gathers, concatenation, padding, reductions).
 * Index inputs (shapes, axes, starts/ends, indices, repeats, pads) never carry a cotangent; the
 * rules pass them on to the backward nodes exactly as the forward got them (constants or runtime
 * values alike), and every size is taken from Shape/Size of forward values, so symbolic dims and
 * non-constant axes work. Ops that read x's elements at computed positions (Slice; Pad in
 * reflect/edge/wrap mode) scatter ȳ back through an index tensor run through the SAME op
 * (`scatterBack`), so the op's own clamping, negative-index and step semantics apply unchanged.
 */
import type { Emitter } from "../emitter.js";
import { DT, int64Tensor } from "../proto.js";
import { gyOrZeros, type GradContext, type OpRule } from "./types.js";

/** y holds x's values in another shape: x̄ = Reshape(ȳ, Shape(x)). */
const reshapeBack: OpRule = { diff: [0], vjp: ({ g, x, gy }) => [g.reshapeLike(gy[0]!, x[0]!)] };

/** A Reduce* op whose VJP is `f`, given `kept(v)` (v with the reduced axes back as 1s, broadcastable to x). */
const reduce = (f: (c: GradContext, kept: (v: string) => string) => string): OpRule => ({ diff: [0], vjp: (c) => [f(c, (v) => keptDims(c, v))] });

export const SHAPE: Record<string, OpRule> = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  // y = Transpose(x, perm): x̄ = Transpose(ȳ, perm⁻¹). No perm reverses the axes, which is its own inverse (no rank needed).
  Transpose: { diff: [0], vjp: ({ g, gy, attrs }) => [g.op("Transpose", [gy[0]!], { perm: inversePerm(attrs.ints("perm")) })] },
  // y = Concat(x₀, x₁, …; axis): ȳ split along axis into pieces of each xᵢ's dim there (dims from Shape; Gather takes a negative axis).
  Concat: {
    diff: "all",
    vjp: ({ g, x, gy, attrs }) => {
      const axis = attrs.int("axis", 0);
      const sizes = x.length === 1 ? undefined : g.op("Concat", x.map((xi) => g.dim(xi, axis)), { axis: 0 });
      return x.length === 1 ? [gy[0]] : g.opN("Split", [gy[0]!, sizes], { axis }, x.length);
    },
  },
  // Split(x; axis) → y₀, y₁, …: x̄ = Concat(ȳ₀, ȳ₁, …) along axis, zeros for outputs that got no cotangent.
  Split: { diff: [0], vjp: (c) => [c.g.op("Concat", c.y.map((_, i) => gyOrZeros(c, i)), { axis: c.attrs.int("axis", 0) })] },
  // Slice(x, starts, ends, axes?, steps?): ȳ goes back where it was read from; positions are unique, so no sum.
  Slice: { diff: [0], vjp: ({ g, x, gy }) => [scatterBack(g, x[0]!, gy[0]!, (idx) => g.op("Slice", [idx, ...x.slice(1)]))] },
  // Gather(x, indices; axis): ȳ scatter-ADDED into zeros of x along axis (repeated indices accumulate).
  Gather: { diff: [0], vjp: ({ g, x, gy, attrs }) => [gatherBack(g, x[0]!, x[1]!, gy[0]!, attrs.int("axis", 0))] },
  // GatherElements(x, indices; axis): y[…i…] = x[…indices[…i…]…]; x̄ = ScatterElements(0, indices, ȳ; add).
  GatherElements: {
    diff: [0],
    vjp: ({ g, x, gy, attrs }) => {
      const axis = attrs.int("axis", 0);
      return [scatterAdd(g, "ScatterElements", g.shape(x[0]!), nonNegative(g, x[1]!, g.dim(x[0]!, axis)), gy[0]!, axis)];
    },
  },
  // GatherND(x, indices), batch_dims 0: x̄ = ScatterND(0, indices, ȳ; add).
  GatherND: {
    diff: [0],
    vjp: ({ g, x, gy, attrs }) => {
      if (attrs.int("batch_dims", 0) !== 0) throw new Error("GatherND with batch_dims ≠ 0 has no VJP rule");
      const dims = g.op("Slice", [g.shape(x[0]!), g.constI([0]), g.op("Shape", [x[1]!], { start: -1 })]); // the dims the index tuples address
      return [scatterAdd(g, "ScatterND", g.shape(x[0]!), nonNegative(g, x[1]!, dims), gy[0]!)];
    },
  },
  // ScatterElements(data, indices, updates; axis): the written positions of data are overwritten (zero cotangent
  // there, unless reduction = add); updates get ȳ read back at those positions.
  ScatterElements: {
    diff: [0, 2],
    vjp: ({ g, x, gy, attrs }) => {
      const axis = attrs.int("axis", 0);
      const red = scatterReduction(attrs.string("reduction", "none"), "ScatterElements");
      const data = red === "add" ? gy[0] : g.op("ScatterElements", [gy[0]!, x[1]!, g.zerosLike(x[2]!)], { axis });
      return [data, undefined, g.op("GatherElements", [gy[0]!, x[1]!], { axis })];
    },
  },
  // ScatterND(data, indices, updates): as ScatterElements, with GatherND to read the updates' cotangent back.
  ScatterND: {
    diff: [0, 2],
    vjp: ({ g, x, gy, attrs }) => {
      const red = scatterReduction(attrs.string("reduction", "none"), "ScatterND");
      const data = red === "add" ? gy[0] : g.op("ScatterND", [gy[0]!, x[1]!, g.zerosLike(x[2]!)]);
      return [data, undefined, g.op("GatherND", [gy[0]!, x[1]!])];
    },
  },
  // Tile(x, repeats): y's axis i is repeatsᵢ copies of x's; x̄ = ȳ reshaped to [r₀, d₀, r₁, d₁, …], summed over the rᵢ axes.
  Tile: {
    diff: [0],
    vjp: ({ g, x, gy }) => {
      const sx = g.shape(x[0]!);
      const col = (v: string) => g.op("Unsqueeze", [v, g.constI([1])]);
      const pairs = g.op("Reshape", [g.op("Concat", [col(g.op("Cast", [x[1]!], { to: DT.INT64 })), col(sx)], { axis: 1 }), g.constI([-1])]);
      const two = g.constI([2], []);
      const evenAxes = g.op("Range", [g.constI([0], []), g.mul(g.op("Size", [sx]), two), two]);
      return [g.reduceSum(g.op("Reshape", [gy[0]!, pairs]), evenAxes, false)];
    },
  },
  // Trilu(x, k?; upper): a fixed mask, so x̄ = Trilu(ȳ, k; upper).
  Trilu: { diff: [0], vjp: ({ g, x, gy, attrs }) => [g.op("Trilu", [gy[0]!, x[1]], { upper: attrs.int("upper", 1) })] },
  // Pad(x, pads, value?, axes?). constant: x̄ = Pad(ȳ, −pads) (crops what was added, zero-fills what was cropped);
  // value̅ = Σȳ − Σx̄ (the padded positions). reflect/edge/wrap: ȳ scatter-added back through padded indices.
  Pad: {
    diff: [0, 2],
    vjp: ({ g, x, gy, attrs, wants }) => {
      const mode = attrs.string("mode", "constant");
      if (mode !== "constant") return [scatterBack(g, x[0]!, gy[0]!, (idx) => g.op("Pad", [idx, x[1]!, "", x[3]], { mode }), true)];
      const gx = g.op("Pad", [gy[0]!, g.neg(x[1]!), "", x[3]], { mode: "constant" });
      const total = (v: string) => g.op("ReduceSum", [v], { keepdims: 0 });
      return [gx, undefined, wants[2] ? g.reshapeLike(g.sub(total(gy[0]!), total(gx)), x[2]!) : undefined];
    },
  },

  // --- reductions: y = reduce(x; axes, keepdims, noop_with_empty_axes); axes an input (ReduceSum ≥ 13, others ≥ 18) or attribute.
  ReduceSum: reduce(({ g, x, gy }, kept) => g.op("Expand", [kept(gy[0]!), g.shape(x[0]!)])),
  // x̄ = ȳ / count, count = Size(x) / Size(y) computed in the graph.
  ReduceMean: reduce(({ g, x, y, gy }, kept) => {
    const ratio = g.div(g.op("CastLike", [g.op("Size", [y[0]!]), gy[0]!]), g.op("CastLike", [g.op("Size", [x[0]!]), gy[0]!]));
    return g.op("Expand", [kept(g.mul(gy[0]!, ratio)), g.shape(x[0]!)]);
  }),
  // Ties SHARE ȳ equally (like torch.amax): x̄ = [x = y] · ȳ / #ties.
  ReduceMax: reduce((c, kept) => extremum(c, kept)),
  ReduceMin: reduce((c, kept) => extremum(c, kept)),
  // y = √Σx²: x̄ = x · ȳ / y, 0 where y = 0 (the subgradient torch uses).
  ReduceL2: reduce(({ g, x, y, gy }, kept) => {
    const zero = g.scalarLike(0, y[0]!);
    return g.mul(x[0]!, kept(g.op("Where", [g.op("Equal", [y[0]!, zero]), zero, g.div(gy[0]!, y[0]!)])));
  }),
  // y = Σ|x|: x̄ = sign(x) · ȳ.
  ReduceL1: reduce(({ g, x, gy }, kept) => g.mul(g.op("Sign", [x[0]!]), kept(gy[0]!))),
  // y = Σx²: x̄ = 2x · ȳ.
  ReduceSumSquare: reduce(({ g, x, gy }, kept) => g.mul(g.mul(x[0]!, g.scalarLike(2, x[0]!)), kept(gy[0]!))),
  // y = log Σ eˣ: x̄ = ȳ · e^(x − y).
  ReduceLogSumExp: reduce(({ g, x, y, gy }, kept) => g.mul(kept(gy[0]!), g.op("Exp", [g.sub(x[0]!, kept(y[0]!))]))),
  // y = Πx: x̄ = ȳ · y / x (by division: NaN where an x is 0).
  ReduceProd: reduce(({ g, x, y, gy }, kept) => g.div(kept(g.mul(gy[0]!, y[0]!)), x[0]!)),
};

/** perm⁻¹ (undefined stays undefined: the reversal). */
function inversePerm(perm: readonly number[] | undefined): number[] | undefined {
  if (!perm) return undefined;
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Indices as int64 with negatives counted from the end of `dims` (broadcast against them). */
function nonNegative(g: Emitter, indices: string, dims: string): string {
  const idx = g.op("Cast", [indices], { to: DT.INT64 });
  return g.op("Where", [g.op("Less", [idx, g.constI([0], [])]), g.add(idx, dims), idx]);
}

/**
 * x̄ for an op that reads x's elements at positions chosen by the op itself: `pick` applies the
 * same op (same index inputs) to Reshape(Range(0, Size x), Shape x), giving for each element of y
 * the flat position of x it came from; ȳ is scattered there into zeros of x (summed with `add`).
 * Costs an int32 tensor of x's size besides the gradient itself.
 */
function scatterBack(g: Emitter, x: string, gy: string, pick: (indices: string) => string, add = false): string {
  const n = g.op("Size", [x]);
  const i32 = (v: string) => g.op("Cast", [v], { to: DT.INT32 }); // int32 positions: half the memory of int64 (x below 2³¹ elements)
  const positions = g.op("Reshape", [g.op("Range", [i32(g.constI([0], [])), i32(n), i32(g.constI([1], []))]), g.shape(x)]);
  const flat = (v: string) => g.op("Reshape", [v, g.constI([-1])]);
  const [size, from, values] = [g.op("Reshape", [n, g.constI([1])]), flat(pick(positions)), flat(gy)];
  const scattered = add
    ? scatterAdd(g, "ScatterElements", size, from, values, 0)
    : g.op("ScatterElements", [g.op("CastLike", [g.op("ConstantOfShape", [size]), gy]), from, values], { axis: 0 });
  return g.reshapeLike(scattered, x);
}

/**
 * ScatterElements/ScatterND(zeros of `shape`, indices, updates, reduction add), accumulated in
 * float32 and cast back to the updates' type: onnxruntime's CPU kernels have no float16 add
 * reduction, and float16 sums round less this way. (A float64 graph gets float32 rounding here.)
 */
function scatterAdd(g: Emitter, op: "ScatterElements" | "ScatterND", shape: string, indices: string, updates: string, axis?: number): string {
  const sum = g.op(op, [g.op("ConstantOfShape", [shape]), indices, g.op("Cast", [updates], { to: DT.FLOAT })], { axis, reduction: "add" });
  return g.op("CastLike", [sum, updates]);
}

/**
 * Gather(x, indices; axis a) backward: ȳ (shape x[:a] + indices + x[a+1:]) is reshaped to
 * x[:a] + [K] + x[a+1:], the K indices broadcast along it, and ScatterElements(add) puts it into
 * zeros of x. Memory is of x (the gradient) and of ȳ, never an index tensor of x's size.
 */
function gatherBack(g: Emitter, x: string, indices: string, gy: string, a: number): string {
  const pre = a === 0 ? undefined : g.op("Shape", [x], { end: a }); // x's dims before the axis
  const post = a === -1 ? undefined : g.op("Shape", [x], { start: a + 1 }); // and after it
  const minus1 = g.constI([-1]);
  const updates = g.op("Reshape", [gy, g.op("Concat", [pre, minus1, post].filter((v): v is string => !!v), { axis: 0 })]);
  const ones = post && g.op("ConstantOfShape", [g.op("Shape", [post])], { value: { t: int64Tensor([1], [1]) } });
  const idx = g.op("Reshape", [nonNegative(g, indices, g.dim(x, a)), ones ? g.op("Concat", [minus1, ones], { axis: 0 }) : minus1]);
  const spread = g.op("Expand", [idx, g.op("Shape", [updates])]);
  return scatterAdd(g, "ScatterElements", g.shape(x), spread, updates, a);
}

function scatterReduction(reduction: string, op: string): "none" | "add" {
  if (reduction === "none" || reduction === "add") return reduction;
  throw new Error(`${op} with reduction "${reduction}" has no VJP rule (only none and add)`);
}

/** The reduced axes of a Reduce* node as an int64 tensor, or undefined when absent (all axes, or none with noop_with_empty_axes). */
function reducedAxes({ g, x, attrs }: GradContext): string | undefined {
  if (x[1]) return x[1];
  const axes = attrs.ints("axes");
  return axes?.length ? g.constI(axes) : undefined;
}

/**
 * `v`, shaped like the Reduce* output, with the reduced axes back as 1s (Unsqueeze by the same
 * axes when keepdims = 0; Unsqueeze reads negative axes against the output rank, i.e. x's rank,
 * as the reduction did). All axes reduced: v is a scalar and broadcasts as it is. An axes input
 * that is empty at run time meets Unsqueeze with no axes, the identity (onnxruntime accepts it).
 */
function keptDims(c: GradContext, v: string): string {
  const axes = reducedAxes(c);
  if (c.attrs.int("keepdims", 1) || !axes) return v;
  return c.g.op("Unsqueeze", [v, axes]);
}

/** ReduceMax/ReduceMin: ȳ shared equally among the positions that attain y. */
function extremum(c: GradContext, kept: (v: string) => string): string {
  const { g, x, y, gy, attrs } = c;
  const hit = g.op("CastLike", [g.op("Equal", [x[0]!, kept(y[0]!)]), gy[0]!]);
  const ties = g.op("ReduceSum", [hit, reducedAxes(c)], { keepdims: 1, noop_with_empty_axes: attrs.int("noop_with_empty_axes", 0) });
  return g.mul(hit, g.div(kept(gy[0]!), ties));
}
