/**
 * Neural-network ops (convolutions, matrix products, normalisations, softmax, resampling).
 * Ranks are never assumed: where an op's VJP needs an axis permutation or a reduction over
 * "the rest", the tensor is first viewed in a fixed rank computed in the graph (Flatten to
 * [outer, inner]; Reshape to [N, C, -1] or [N, G, -1]; [-1, i, j] for the last two axes),
 * so the VJPs keep the forward's symbolic dims. Convolutions take their number of spatial
 * axes from kernel_shape/strides/dilations/pads (torch.onnx always writes them).
 */
import type { Emitter } from "../emitter.js";
import { int64Tensor } from "../proto.js";
import { VjpError } from "../vjp.js";
import type { GradContext, OpRule } from "./types.js";

export const NN: Record<string, OpRule> = {
  // y = Conv(x, W, b): x̄ = ConvTranspose(ȳ, W) (same strides, dilations, group; pads 0) padded or
  // cropped to x's shape; W̄ = x ⋆ ȳ (correlation over batch and space); b̄ = Σ ȳ over all axes but 1.
  Conv: {
    diff: "all",
    vjp: (c) => {
      const { g, x, gy, wants } = c;
      const k = conv(c);
      const geo = { strides: k.strides, dilations: k.dilations, group: k.group };
      const gx = wants[0] ? (convInputGradStride1(c, k) ?? fitSpatial(g, g.op("ConvTranspose", [gy[0]!, x[1]!], geo), x[0]!, k.pads)) : undefined;
      const gw = wants[1] ? weightGrad(c, k, x[0]!, gy[0]!) : undefined;
      return [gx, gw, x[2] ? channelSum(g, gy[0]!) : undefined];
    },
  },
  // y = ConvTranspose(x, W, b), the adjoint of Conv(·, W): x̄ = Conv(ȳ, W) (same strides, dilations,
  // group, pads); W̄ = ȳ ⋆ x; b̄ = Σ ȳ over all axes but 1. output_shape is refused (give pads).
  ConvTranspose: {
    diff: "all",
    vjp: (c) => {
      const { g, x, gy, wants, attrs } = c;
      if (attrs.has("output_shape")) throw fail(c, "output_shape is not supported (re-export with pads and output_padding)");
      const k = conv(c);
      // Conv of ȳ has ⌊output_padding/stride⌋ extra rows per axis: none, as ORT requires output_padding < stride.
      const gx = wants[0] ? g.op("Conv", [gy[0]!, x[1]!], { strides: k.strides, dilations: k.dilations, group: k.group, pads: k.pads }) : undefined;
      const gw = wants[1] ? weightGrad(c, k, gy[0]!, x[0]!) : undefined;
      return [gx, gw, x[2] ? channelSum(g, gy[0]!) : undefined];
    },
  },
  // y = α·A'·B' + β·C (A' = Aᵀ if transA, B' likewise): each cotangent is one Gemm with the
  // transposes arranged; C̄ = β·ȳ un-broadcast.
  Gemm: {
    diff: "all",
    vjp: ({ g, x: [a, b, cc], gy: [gy], attrs }) => {
      const [ta, tb, alpha, beta] = [attrs.int("transA", 0), attrs.int("transB", 0), attrs.float("alpha", 1), attrs.float("beta", 1)];
      const gemm = (p: string, q: string, transA: number, transB: number) => g.op("Gemm", [p, q], { alpha: { f: alpha }, transA, transB });
      const ga = ta ? gemm(b!, gy!, tb, 1) : gemm(gy!, b!, 0, 1 - tb);
      const gb = tb ? gemm(gy!, a!, 1, ta) : gemm(a!, gy!, 1 - ta, 0);
      const gc = cc ? g.sumTo(beta === 1 ? gy! : g.mul(gy!, g.scalarLike(beta, gy!)), cc) : undefined;
      return [ga, gb, gc];
    },
  },
  // y = A·B (numpy matmul): with 1-D operands promoted to [1, K] (A) and [K, 1] (B) and ȳ
  // reshaped to match, Ā = ȳ·Bᵀ and B̄ = Aᵀ·ȳ, each summed over broadcast batch axes. Ranks are
  // read in the graph (a rule sees only its node, not value_info), so one rule serves 1-D,
  // batched and broadcast operands; ᵀ swaps the last two axes of any rank (swapLast).
  MatMul: {
    diff: "all",
    vjp: ({ g, x: [a, b], gy: [gy], wants }) => {
      const [a2, b2] = [atLeast2d(g, a!, "front"), atLeast2d(g, b!, "back")];
      const gy2 = g.op("Reshape", [gy!, matmulOutShape(g, gy!, a2.added, b2.added)]);
      const ga = wants[0] ? g.sumTo(g.op("MatMul", [gy2, swapLast(g, b2.value)]), a!) : undefined;
      const gb = wants[1] ? g.reshapeLike(g.sumTo(g.op("MatMul", [swapLast(g, a2.value), gy2]), b2.value), b!) : undefined;
      return [ga, gb];
    },
  },
  // y = softmax(x) along axis: x̄ = y ⊙ (ȳ − Σ_axis ȳ ⊙ y)
  Softmax: {
    diff: [0],
    vjp: ({ g, y, gy, attrs }) => {
      const s = g.reduceSum(g.mul(gy[0]!, y[0]!), [attrs.int("axis", -1)], true);
      return [g.mul(y[0]!, g.sub(gy[0]!, s))];
    },
  },
  // y = x − log Σ_axis exp x: x̄ = ȳ − exp(y) ⊙ Σ_axis ȳ
  LogSoftmax: {
    diff: [0],
    vjp: ({ g, y, gy, attrs }) => [g.sub(gy[0]!, g.mul(g.op("Exp", [y[0]!]), g.reduceSum(gy[0]!, [attrs.int("axis", -1)], true)))],
  },
  // y = x̂·scale + B with x̂ normalised over axes [axis, rank), viewed as Flatten(x, axis) = [outer, inner].
  // Also the optional outputs Mean and InvStdDev. scalē = Σ ȳ⊙x̂, B̄ = Σ ȳ (un-broadcast).
  LayerNormalization: {
    diff: "all",
    vjp: ({ g, x: [x, scale, bias], y, gy, attrs }) => {
      const axis = attrs.int("axis", -1);
      const flat = (v: string) => g.op("Flatten", [v], { axis });
      const s = standardize(g, flat(x!), 1, attrs.float("epsilon", 1e-5));
      const gy0 = gy[0] ?? g.zerosLike(y[0]!);
      let gx = normGrad(g, flat(g.mul(gy0, scale!)), s, 1);
      const extra = statsGrad(g, s, gy[1] && flat(g.op("CastLike", [gy[1], x!])), gy[2] && flat(g.op("CastLike", [gy[2], x!])));
      if (extra) gx = g.add(gx, extra);
      return [g.reshapeLike(gx, x!), g.sumTo(g.mul(gy0, g.reshapeLike(s.xhat, x!)), scale!), bias ? g.sumTo(gy0, bias) : undefined];
    },
  },
  // y[n,c] = scale[c]·x̂[n,c] + B[c], x̂ normalised over the spatial axes: viewed as [N, C, -1].
  InstanceNormalization: {
    diff: "all",
    vjp: ({ g, x: [x, scale], gy: [gy], attrs }) => {
      const nc = (v: string) => g.op("Reshape", [v, g.constI([0, 0, -1])]);
      const s = standardize(g, nc(x!), 2, attrs.float("epsilon", 1e-5));
      const gy3 = nc(gy!);
      const gx = normGrad(g, g.mul(gy3, column(g, scale!)), s, 2);
      return [g.reshapeLike(gx, x!), sumBut1(g, g.mul(gy3, s.xhat)), sumBut1(g, gy3)];
    },
  },
  // y = x̂·scale + B, x̂ normalised per (n, group) over [N, G, -1]; scale and B are per group at
  // opset 18–20 and per channel from 21 (the VJP graph's opset is the forward's when ≥ 16).
  GroupNormalization: {
    diff: "all",
    vjp: (c) => {
      const { g, x: [x, scale], gy: [gy], attrs, opset } = c;
      const G = attrs.int("num_groups", 0);
      if (G < 1) throw fail(c, "num_groups is missing");
      const groups = (v: string) => g.op("Reshape", [v, g.constI([0, G, -1])]);
      const s = standardize(g, groups(x!), 2, attrs.float("epsilon", 1e-5));
      // the affine part in the view where scale is a column: [N, G, -1] (≤ 20) or [N, C, -1] (21)
      const gyA = g.op("Reshape", [gy!, g.constI([0, opset >= 21 ? 0 : G, -1])]);
      const xhatA = g.reshapeLike(s.xhat, gyA);
      const gx = normGrad(g, groups(g.mul(gyA, column(g, scale!))), s, 2);
      return [g.reshapeLike(gx, x!), sumBut1(g, g.mul(gyA, xhatA)), sumBut1(g, gyA)];
    },
  },
  // y = Rₕ·x·R_wᵀ on the last two axes (Resize is linear and separable): x̄ = Rₕᵀ·ȳ·R_w. The
  // matrices are the same Resize (same attributes) applied to identity matrices, so every mode,
  // coordinate transform and nearest rounding ORT implements is matched exactly.
  Resize: {
    diff: [0],
    vjp: (c) => {
      const { g, x, gy, attrs } = c;
      if (attrs.string("coordinate_transformation_mode", "half_pixel") === "tf_crop_and_resize") throw fail(c, "coordinate_transformation_mode tf_crop_and_resize is not supported");
      const axes = attrs.ints("axes");
      if (axes && !(axes.length === 2 && axes[0] === -2 && axes[1] === -1)) throw fail(c, `axes [${axes}] is not supported (only the last two axes, given as [-2, -1] or all axes)`);
      if (x[3] && attrs.string("keep_aspect_ratio_policy", "stretch") !== "stretch") throw fail(c, "keep_aspect_ratio_policy other than stretch is not supported");
      const [rhT, rw] = resizeMatrices(c);
      return [g.op("MatMul", [g.op("MatMul", [rhT, gy[0]!]), rw])];
    },
  },
  // y = mean of x over the spatial axes: x̄ = ȳ / (H·W·…) broadcast back.
  GlobalAveragePool: {
    diff: [0],
    vjp: ({ g, x, gy }) => {
      const count = g.op("CastLike", [g.op("ReduceProd", [dimsFrom(g, x[0]!, 2)], { keepdims: 0 }), gy[0]!]);
      return [g.op("Expand", [g.div(gy[0]!, count), g.shape(x[0]!)])];
    },
  },
  // y = window sums of x / window counts: x̄ = ConvTranspose(ȳ / counts, ones) per channel (as
  // [N·C, 1, …]), fitted to x's shape. Counts are the kernel size, or with count_include_pad = 0 the
  // in-image part (kernel size · AveragePool(1) with padding counted).
  AveragePool: {
    diff: [0],
    vjp: (c) => {
      const { g, x, gy, attrs } = c;
      if (attrs.int("ceil_mode", 0)) throw fail(c, "ceil_mode 1 is not supported");
      const k = conv(c);
      const kernel = attrs.ints("kernel_shape")!;
      const size = kernel.reduce((p, q) => p * q, 1);
      let counts = g.scalarLike(size, gy[0]!);
      if (!attrs.int("count_include_pad", 0) && k.pads.some((p) => p)) {
        const withPads = attrs.all().filter((a) => a.name !== "count_include_pad").map((a) => [a.name ?? "", { proto: a }] as const);
        counts = g.mul(counts, g.op("AveragePool", [g.op("CastLike", [g.op("ConstantOfShape", [g.shape(x[0]!)], { value: { t: int64Tensor([1], [1]) } }), x[0]!])], { ...Object.fromEntries(withPads), count_include_pad: 1 }));
      }
      const perChannel = g.op("Reshape", [g.div(gy[0]!, counts), g.op("Concat", [g.constI([-1, 1]), dimsFrom(g, gy[0]!, 2)], { axis: 0 })]);
      const ones = g.op("CastLike", [g.constF(Array(size).fill(1), [1, 1, ...kernel]), x[0]!]);
      const summed = g.op("ConvTranspose", [perChannel, ones], { strides: k.strides, dilations: k.dilations });
      return [g.reshapeLike(fitSpatial(g, summed, x[0]!, k.pads), x[0]!)];
    },
  },
  // y = window maxima: x̄ scatters ȳ to the argmax positions ORT reports (MaxPool's Indices output,
  // flat over N·C·H·W…), adding where windows overlap.
  MaxPool: {
    diff: [0],
    vjp: (c) => {
      const { g, x, y, gy, attrs } = c;
      if (attrs.int("storage_order", 0)) throw fail(c, "storage_order 1 is not supported");
      const indices = y[1] || g.opN("MaxPool", [x[0]!], Object.fromEntries(attrs.all().map((a) => [a.name ?? "", { proto: a }])), 2)[1]!;
      const flat = (v: string) => g.op("Reshape", [v, g.constI([-1])]);
      const zeros = flat(g.zerosLike(x[0]!));
      return [g.reshapeLike(g.op("ScatterElements", [zeros, flat(indices), flat(gy[0]!)], { axis: 0, reduction: "add" }), x[0]!)];
    },
  },
  // y = x at inference; in training mode y = x ⊙ mask / (1 − ratio) with the node's own mask.
  Dropout: {
    diff: [0],
    vjp: (c) => {
      const { g, x, y, gy } = c;
      if (!x[2]) return [gy[0]];
      if (!y[1]) throw fail(c, "training_mode is given but the mask output is not: the draw cannot be replayed");
      const ratio = x[1] ? g.op("CastLike", [x[1], gy[0]!]) : g.scalarLike(0.5, gy[0]!);
      const trained = g.div(g.mul(gy[0]!, g.op("CastLike", [y[1], gy[0]!])), g.sub(g.scalarLike(1, gy[0]!), ratio));
      return [g.op("Where", [x[2], trained, gy[0]!])];
    },
  },
  // y = x·Φ(x): x̄ = ȳ·(Φ(x) + x·φ(x)); approximate = tanh: y = x/2·(1 + tanh u), u = √(2/π)(x + 0.044715x³),
  // x̄ = ȳ·(½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)).
  Gelu: {
    diff: [0],
    vjp: ({ g, x: [x], gy: [gy], attrs }) => {
      const k = (v: number) => g.scalarLike(v, x!);
      const x2 = g.mul(x!, x!);
      if (attrs.string("approximate", "none") === "tanh") {
        const a = Math.sqrt(2 / Math.PI);
        const t = g.op("Tanh", [g.mul(k(a), g.add(x!, g.mul(k(0.044715), g.mul(x2, x!))))]);
        const du = g.mul(k(a), g.add(k(1), g.mul(k(3 * 0.044715), x2)));
        const d = g.mul(k(0.5), g.add(g.add(k(1), t), g.mul(g.mul(x!, g.sub(k(1), g.mul(t, t))), du)));
        return [g.mul(gy!, d)];
      }
      const cdf = g.mul(k(0.5), g.add(k(1), g.op("Erf", [g.mul(x!, k(Math.SQRT1_2))])));
      const pdf = g.mul(k(1 / Math.sqrt(2 * Math.PI)), g.op("Exp", [g.mul(x2, k(-0.5))]));
      return [g.mul(gy!, g.add(cdf, g.mul(x!, pdf)))];
    },
  },
};

// --- helpers -----------------------------------------------------------------------------

/** Slice end meaning "to the end of the axis". */
const END = 2 ** 62;

/** A VjpError naming the op and node. */
function fail(c: GradContext, why: string): VjpError {
  return new VjpError(`${c.node.opType} node "${c.node.name ?? "?"}": ${why}`);
}

/** Shape(x)[from:], int64 [rank − from]. */
function dimsFrom(g: Emitter, x: string, from: number): string {
  return g.op("Slice", [g.shape(x), g.constI([from]), g.constI([END])]);
}

interface ConvAttrs {
  /** Number of spatial axes; undefined when no attribute tells (then all are defaults). */
  nsp: number | undefined;
  strides: number[];
  dilations: number[];
  /** [begin…, end…] per spatial axis. */
  pads: number[];
  group: number;
}

/** Strides, dilations, pads and group of a Conv/ConvTranspose/pool node (auto_pad NOTSET or VALID). */
function conv(c: GradContext): ConvAttrs {
  const a = c.attrs;
  const autoPad = a.string("auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && autoPad !== "VALID") throw fail(c, `auto_pad ${autoPad} is not supported (only NOTSET or VALID; re-export with explicit pads)`);
  const [k, s, d] = [a.ints("kernel_shape"), a.ints("strides"), a.ints("dilations")];
  const p = autoPad === "VALID" ? undefined : a.ints("pads");
  const nsp = k?.length ?? s?.length ?? d?.length ?? (p ? p.length / 2 : undefined);
  const fill = (v: number, n: number) => Array<number>(n).fill(v);
  if (nsp === undefined) return { nsp, strides: [], dilations: [], pads: [], group: a.int("group", 1) };
  return { nsp, strides: s ?? fill(1, nsp), dilations: d ?? fill(1, nsp), pads: p ?? fill(0, 2 * nsp), group: a.int("group", 1) };
}

/**
 * Fits `v` [N, C, …] to `like`'s spatial shape: drops `begin` rows at the start of each spatial
 * axis and pads (or crops) the end to `like`'s size, in one Pad with in-graph pads (negative
 * pads crop). `pads` are the forward's [begin…, end…]; only the begins are used.
 */
function fitSpatial(g: Emitter, v: string, like: string, pads: readonly number[]): string {
  const n = pads.length / 2;
  if (n === 0) {
    // unknown spatial rank: begins are 0, ends computed for every axis from 2 on
    const ends = g.op("Sub", [dimsFrom(g, like, 2), dimsFrom(g, v, 2)]);
    const zeros = g.op("Mul", [dimsFrom(g, v, 0), g.constI([0])]);
    return g.op("Pad", [v, g.op("Concat", [zeros, g.constI([0, 0]), ends], { axis: 0 })]);
  }
  const begins = pads.slice(0, n);
  const ends = g.op("Sub", [g.op("Add", [dimsFrom(g, like, 2), g.constI(begins)]), dimsFrom(g, v, 2)]);
  return g.op("Pad", [v, g.op("Concat", [g.constI([0, 0, ...begins.map((b) => -b), 0, 0]), ends], { axis: 0 })]);
}

/**
 * x̄ of a stride-1 Conv as another Conv: the "full" correlation of ȳ with W flipped in space and
 * with input and output channels swapped per group, padded d(k−1)−p on each side (exactly x's
 * size). onnxruntime's CPU Conv is several times faster than its ConvTranspose, and the flip of
 * a constant W is folded at load. Undefined when it does not apply (a stride ≠ 1, a pad larger
 * than d(k−1), or no kernel_shape): the caller then uses ConvTranspose.
 */
function convInputGradStride1({ g, x, gy, attrs }: GradContext, k: ConvAttrs): string | undefined {
  const kernel = attrs.ints("kernel_shape");
  if (!kernel || k.nsp === undefined || k.strides.some((s) => s !== 1)) return undefined;
  const pads = k.pads.map((p, i) => k.dilations[i % k.nsp!]! * (kernel[i % k.nsp!]! - 1) - p);
  if (pads.some((p) => p < 0)) return undefined;
  const w = x[1]!;
  const spatial = Array.from({ length: k.nsp }, (_, i) => i + 2);
  let swapped: string;
  if (k.group === 1) swapped = g.op("Transpose", [w], { perm: [1, 0, ...spatial] });
  else {
    // [Cout, Cin/G, …] → [G, Cout/G, Cin/G, …] → [G, Cin/G, Cout/G, …] → [Cin, Cout/G, …]
    const wShape = g.shape(w);
    const outPerGroup = g.op("Div", [g.op("Gather", [wShape, g.constI([0])], { axis: 0 }), g.constI([k.group])]);
    const grouped = g.op("Reshape", [w, g.op("Concat", [g.constI([k.group, -1]), dimsFrom(g, w, 1)], { axis: 0 })]);
    const t = g.op("Transpose", [grouped], { perm: [0, 2, 1, ...spatial.map((a) => a + 1)] });
    swapped = g.op("Reshape", [t, g.op("Concat", [g.constI([-1]), outPerGroup, dimsFrom(g, w, 2)], { axis: 0 })]);
  }
  const flipped = g.op("Slice", [swapped, g.constI(spatial.map(() => -1)), g.constI(spatial.map(() => -END)), g.constI(spatial), g.constI(spatial.map(() => -1))]);
  return g.op("Conv", [gy[0]!, flipped], { kernel_shape: kernel, dilations: k.dilations, group: k.group, pads });
}

/** Σ of `v` [N, C, …] over every axis but 1: [C]. */
function channelSum(g: Emitter, v: string): string {
  return sumBut1(g, g.op("Reshape", [v, g.constI([0, 0, -1])]));
}
/** Σ of a 3-D `v` over axes 0 and 2: [dim 1]. */
function sumBut1(g: Emitter, v: string): string {
  return g.reduceSum(v, [0, 2], false);
}
/** A 1-D `v` as a column [n, 1], to broadcast along axis 1 of a 3-D view. */
function column(g: Emitter, v: string): string {
  return g.op("Reshape", [v, g.constI([-1, 1])]);
}

/**
 * The weight cotangent of a convolution, as a correlation: W̄[o, i, κ] = Σ_n Σ_t a_pad[n, i, κ·dil + t·stride]·b[n, o, t]
 * for Conv (a = x, b = ȳ); ConvTranspose swaps them (a = ȳ, b = x) and the result's two first axes.
 * Computed by one grouped Conv whose batch is a's channels-per-group and whose kernel is b with
 * batch and channels swapped, with the roles of stride and dilation exchanged; the result is
 * cropped to the kernel size (it is larger when the forward dropped trailing rows).
 */
function weightGrad(c: GradContext, k: ConvAttrs, a: string, b: string): string {
  const { g, x } = c;
  if (k.nsp === undefined) throw fail(c, "the weight gradient needs kernel_shape (or strides, dilations, pads) to know the number of spatial axes");
  const perm = (first: number[]) => [...first, ...Array.from({ length: k.nsp! }, (_, i) => i + first.length)];
  const swap01 = (v: string) => g.op("Transpose", [v], { perm: perm([1, 0]) });
  // a [N, G·A, …] → [A, G·N, …] (group j's batch n at channel j·N + n)
  const data =
    k.group === 1
      ? swap01(a)
      : g.op("Reshape", [
          g.op("Transpose", [g.op("Reshape", [a, g.op("Concat", [g.constI([0, k.group, -1]), dimsFrom(g, a, 2)], { axis: 0 })])], { perm: perm([2, 1, 0]) }),
          g.op("Concat", [g.constI([0, -1]), dimsFrom(g, a, 2)], { axis: 0 }),
        ]);
  const corr = g.op("Conv", [data, swap01(b)], { strides: k.dilations, dilations: k.strides, pads: k.pads, group: k.group });
  const w = x[1]!;
  const axes = Array.from({ length: k.nsp }, (_, i) => i + 2);
  const cropped = g.op("Slice", [corr, g.constI(axes.map(() => 0)), dimsFrom(g, w, 2), g.constI(axes)]);
  return swap01(cropped);
}

/** Mean, centred input and reciprocal deviation of `v` along `axis` (kept), as the normalisations compute them. */
interface Standardized {
  xhat: string;
  /** 1/√(var + ε), with the reduced axis kept. */
  r: string;
  /** Number of elements reduced, as a scalar of v's type. */
  n: string;
}
function standardize(g: Emitter, v: string, axis: number, eps: number): Standardized {
  const xc = g.sub(v, g.reduceMean(v, [axis], true));
  const r = g.op("Reciprocal", [g.op("Sqrt", [g.add(g.reduceMean(g.mul(xc, xc), [axis], true), g.scalarLike(eps, v))])]);
  const n = g.op("CastLike", [g.op("Gather", [g.shape(v), g.constI([axis], [])], { axis: 0 }), v]);
  return { xhat: g.mul(xc, r), r, n };
}
/** x̄ of x̂ = standardize(x) given ∂/∂x̂ (`gh`): r·(gh − mean(gh) − x̂·mean(gh⊙x̂)). */
function normGrad(g: Emitter, gh: string, s: Standardized, axis: number): string {
  const mean = (v: string) => g.reduceMean(v, [axis], true);
  return g.mul(s.r, g.sub(g.sub(gh, mean(gh)), g.mul(s.xhat, mean(g.mul(gh, s.xhat)))));
}
/** x̄ from cotangents of the mean (ḡμ/n) and of r (−ḡr·r²·x̂/n), or undefined when neither flows. */
function statsGrad(g: Emitter, s: Standardized, gMean: string | undefined, gR: string | undefined): string | undefined {
  const parts: string[] = [];
  if (gMean) parts.push(g.div(gMean, s.n));
  if (gR) parts.push(g.neg(g.div(g.mul(g.mul(gR, g.mul(s.r, s.r)), s.xhat), s.n)));
  return parts.length ? g.sum(parts) : undefined;
}

/**
 * A MatMul operand viewed with at least 2 axes, numpy's promotion: 1-D A → [1, K] (front),
 * 1-D B → [K, 1] (back). `added` is the int64 [1] count of axes added (0 or 1).
 */
function atLeast2d(g: Emitter, v: string, side: "front" | "back"): { value: string; added: string } {
  const rank = g.op("Size", [g.shape(v)]);
  const added = g.op("Reshape", [g.op("Max", [g.sub(g.constI([2], []), rank), g.constI([0], [])]), g.constI([1])]);
  const ones = g.op("ConstantOfShape", [added], { value: { t: int64Tensor([1], [1]) } });
  const shape = g.op("Concat", side === "front" ? [ones, g.shape(v)] : [g.shape(v), ones], { axis: 0 });
  return { value: g.op("Reshape", [v, shape]), added };
}
/**
 * The shape of A2·B2 (both ≥ 2-D) from ȳ's: ȳ lacks the row axis when A was 1-D and the column
 * axis when B was 1-D. Shape(ȳ) = [batch…, (M), (N)] → [batch…, M or 1, N or 1].
 */
function matmulOutShape(g: Emitter, gy: string, addedA: string, addedB: string): string {
  const s = g.shape(gy);
  const cut = g.add(g.sub(g.op("Reshape", [g.op("Size", [s]), g.constI([1])]), g.constI([1])), addedB); // rank − 1 + addedB: where N starts
  const ones = (n: string) => g.op("ConstantOfShape", [n], { value: { t: int64Tensor([1], [1]) } });
  return g.op("Concat", [g.op("Slice", [s, g.constI([0]), cut]), ones(addedA), g.op("Slice", [s, cut, g.constI([END])]), ones(addedB)], { axis: 0 });
}
/**
 * Swaps the last two axes of a ≥ 2-D tensor of any rank: viewed as [-1, i, j], transposed, reshaped
 * back. (Einsum "...ij->...ji" does the same in onnxruntime; Reshape/Transpose have kernels for
 * every dtype and execution provider.)
 */
function swapLast(g: Emitter, v: string): string {
  const s = g.shape(v);
  const head = g.op("Slice", [s, g.constI([0]), g.constI([-2])]);
  const [i, j] = [g.op("Slice", [s, g.constI([-2]), g.constI([-1])]), g.op("Slice", [s, g.constI([-1]), g.constI([END])])];
  const t = g.op("Transpose", [g.op("Reshape", [v, g.op("Concat", [g.constI([-1]), i, j], { axis: 0 })])], { perm: [0, 2, 1] });
  return g.op("Reshape", [t, g.op("Concat", [head, j, i], { axis: 0 })]);
}

/**
 * Rₕᵀ [H, Hₒ] and R_w [Wₒ, W] of a Resize, each the forward's Resize of an identity matrix
 * viewed as [1, 1, n, n] along one axis (with scales [1, 1, 1, sₕ] / [1, 1, s_w, 1] or sizes
 * [1, 1, H, Hₒ] / [1, 1, Wₒ, W] taken from the last two entries of the node's own inputs).
 */
function resizeMatrices({ g, x, attrs }: GradContext): [string, string] {
  const [input, , scales, sizes] = x;
  const copied = Object.fromEntries(attrs.all().filter((a) => a.name !== "axes").map((a) => [a.name ?? "", { proto: a }]));
  const last = (v: string, k: number) => g.op("Slice", [v, g.constI([k]), g.constI([k === -1 ? END : k + 1])]);
  const eye = (n: string) => {
    const e = g.op("CastLike", [g.op("EyeLike", [g.op("ConstantOfShape", [g.op("Concat", [n, n], { axis: 0 })])]), input!]);
    return g.op("Reshape", [e, g.op("Concat", [g.constI([1, 1]), n, n], { axis: 0 })]);
  };
  const resize = (e: string, target: string) =>
    g.op("Squeeze", [g.op("Resize", sizes ? [e, "", "", target] : [e, "", target], copied), g.constI([0, 1])]);
  const [h, w] = [last(g.shape(input!), -2), last(g.shape(input!), -1)];
  const ones = (n: number) => g.constF(Array(n).fill(1));
  const rhT = sizes
    ? resize(eye(h), g.op("Concat", [g.constI([1, 1]), h, last(sizes, -2)], { axis: 0 }))
    : resize(eye(h), g.op("Concat", [ones(3), last(scales!, -2)], { axis: 0 }));
  const rw = sizes
    ? resize(eye(w), g.op("Concat", [g.constI([1, 1]), last(sizes, -1), w], { axis: 0 }))
    : resize(eye(w), g.op("Concat", [ones(2), last(scales!, -1), ones(1)], { axis: 0 }));
  return [rhT, rw];
}
