/**
 * One VJP rule per ONNX op. A rule receives the forward node (its input and output value
 * names stay valid: the VJP graph recomputes the forward), the cotangents of its outputs and
 * an Emitter, and returns one cotangent per input (undefined = none flows there). Rules may
 * return cotangents for inputs nobody asked for: dead nodes are pruned after the pass.
 */
import type { Emitter } from "../emitter.js";
import type { Attrs, NodeProto } from "../proto.js";

export interface GradContext {
  readonly node: NodeProto;
  readonly attrs: Attrs;
  /** Input value names ("" where an optional input is absent). */
  readonly x: readonly string[];
  /** Output value names. */
  readonly y: readonly string[];
  /** Cotangent of each output, undefined where none flows. */
  readonly gy: readonly (string | undefined)[];
  /** Which inputs need a cotangent. */
  readonly wants: readonly boolean[];
  readonly g: Emitter;
  readonly opset: number;
}

export interface OpRule {
  /** Inputs a cotangent can flow to; the others (indices, shapes, conditions) never carry one. */
  readonly diff: "all" | readonly number[];
  readonly vjp: (c: GradContext) => readonly (string | undefined)[];
  /** True when this node's outputs carry no gradient although an input does (e.g. Cast to int). */
  readonly stops?: (attrs: Attrs) => boolean;
}

/** Ops whose outputs carry no gradient (integer, boolean or random results, or piecewise constant). */
export const NON_DIFFERENTIABLE: ReadonlySet<string> = new Set([
  "Shape", "Size", "Range", "NonZero", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor",
  "ArgMax", "ArgMin", "Floor", "Ceil", "Round", "Sign", "IsNaN", "IsInf", "ConstantOfShape", "Constant", "EyeLike",
  "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "OneHot",
]);

/** Cotangent of output 0, or zeros shaped like it when none flows. */
export function gyOrZeros(c: GradContext, i = 0): string {
  return c.gy[i] ?? c.g.zerosLike(c.y[i]!);
}
