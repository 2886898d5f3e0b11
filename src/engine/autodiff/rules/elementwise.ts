/**
 * Elementwise ops (numpy broadcasting): y = f(a, b, …). Each cotangent is un-broadcast to its
 * input's shape with `sumTo`. Rules use the forward output y where that is cheaper than
 * recomputing (Exp, Sigmoid, Tanh, Sqrt, Div).
 */
import { DT } from "../proto.js";
import type { OpRule } from "./types.js";

const FLOAT_TYPES = new Set<number>([DT.FLOAT, DT.FLOAT16, DT.DOUBLE, DT.BFLOAT16]);

/** A unary op whose derivative is expressed by `d(x, y)`: x̄ = ȳ · d. */
const unary = (d: (g: import("../emitter.js").Emitter, x: string, y: string) => string): OpRule => ({
  diff: [0],
  vjp: ({ g, x, y, gy }) => [g.mul(gy[0]!, d(g, x[0]!, y[0]!))],
});

export const ELEMENTWISE: Record<string, OpRule> = {
  // y = a + b
  Add: { diff: "all", vjp: ({ g, x, gy }) => [g.sumTo(gy[0]!, x[0]!), g.sumTo(gy[0]!, x[1]!)] },
  // y = a − b
  Sub: { diff: "all", vjp: ({ g, x, gy }) => [g.sumTo(gy[0]!, x[0]!), g.sumTo(g.neg(gy[0]!), x[1]!)] },
  // y = a · b
  Mul: { diff: "all", vjp: ({ g, x, gy }) => [g.sumTo(g.mul(gy[0]!, x[1]!), x[0]!), g.sumTo(g.mul(gy[0]!, x[0]!), x[1]!)] },
  // y = a / b: ā = ȳ/b, b̄ = −ȳ·y/b
  Div: {
    diff: "all",
    vjp: ({ g, x, y, gy }) => {
      const ga = g.div(gy[0]!, x[1]!);
      return [g.sumTo(ga, x[0]!), g.sumTo(g.neg(g.mul(ga, y[0]!)), x[1]!)];
    },
  },
  // y = aᵇ: ā = ȳ·b·aᵇ⁻¹, b̄ = ȳ·y·ln a
  Pow: {
    diff: "all",
    vjp: ({ g, x, y, gy, wants }) => {
      const [a, b] = [x[0]!, x[1]!];
      const bm1 = g.sub(b, g.scalarLike(1, b));
      const ga = g.sumTo(g.mul(gy[0]!, g.mul(g.op("CastLike", [b, a]), g.op("Pow", [a, bm1]))), a);
      const gb = wants[1] ? g.sumTo(g.op("CastLike", [g.mul(gy[0]!, g.mul(y[0]!, g.op("Log", [a]))), b]), b) : undefined;
      return [ga, gb];
    },
  },
  // Variadic sum.
  Sum: { diff: "all", vjp: ({ g, x, gy }) => x.map((xi) => g.sumTo(gy[0]!, xi)) },
  // Variadic mean.
  Mean: { diff: "all", vjp: ({ g, x, gy }) => x.map((xi) => g.sumTo(g.mul(gy[0]!, g.scalarLike(1 / x.length, gy[0]!)), xi)) },
  // Max/Min of two: the cotangent goes to the selected input (to the first on ties).
  Max: { diff: "all", vjp: (c) => select(c, "GreaterOrEqual") },
  Min: { diff: "all", vjp: (c) => select(c, "LessOrEqual") },

  Neg: { diff: [0], vjp: ({ g, gy }) => [g.neg(gy[0]!)] },
  Identity: { diff: [0], vjp: ({ gy }) => [gy[0]] },
  Exp: unary((g, _x, y) => y),
  Log: { diff: [0], vjp: ({ g, x, gy }) => [g.div(gy[0]!, x[0]!)] },
  Sqrt: { diff: [0], vjp: ({ g, y, gy }) => [g.div(g.mul(gy[0]!, g.scalarLike(0.5, y[0]!)), y[0]!)] },
  Reciprocal: unary((g, _x, y) => g.neg(g.mul(y, y))),
  Sigmoid: unary((g, _x, y) => g.mul(y, g.sub(g.scalarLike(1, y), y))),
  Tanh: unary((g, _x, y) => g.sub(g.scalarLike(1, y), g.mul(y, y))),
  // erf'(x) = 2/√π · exp(−x²)
  Erf: unary((g, x) => g.mul(g.scalarLike(2 / Math.sqrt(Math.PI), x), g.op("Exp", [g.neg(g.mul(x, x))]))),
  Sin: unary((g, x) => g.op("Cos", [x])),
  Cos: unary((g, x) => g.neg(g.op("Sin", [x]))),
  Abs: unary((g, x) => g.op("Sign", [x])),
  Softplus: unary((g, x) => g.op("Sigmoid", [x])),
  Relu: { diff: [0], vjp: ({ g, x, gy }) => [g.op("Where", [g.op("Greater", [x[0]!, g.scalarLike(0, x[0]!)]), gy[0]!, g.scalarLike(0, gy[0]!)])] },
  LeakyRelu: {
    diff: [0],
    vjp: ({ g, x, gy, attrs }) => {
      const pos = g.op("Greater", [x[0]!, g.scalarLike(0, x[0]!)]);
      return [g.op("Where", [pos, gy[0]!, g.mul(gy[0]!, g.scalarLike(attrs.float("alpha", 0.01), gy[0]!))])];
    },
  },
  // Clip(x, min?, max?): the cotangent passes where min ≤ x ≤ max; the bounds get none (they are constants in every export we know).
  Clip: {
    diff: [0],
    vjp: ({ g, x, gy }) => {
      let keep: string | undefined;
      const and = (m: string) => (keep = keep ? g.op("And", [keep, m]) : m);
      if (x[1]) and(g.op("GreaterOrEqual", [x[0]!, x[1]]));
      if (x[2]) and(g.op("LessOrEqual", [x[0]!, x[2]]));
      return [keep ? g.op("Where", [keep, gy[0]!, g.scalarLike(0, gy[0]!)]) : gy[0]];
    },
  },
  // Where(cond, a, b): cond carries no gradient.
  Where: {
    diff: [1, 2],
    vjp: ({ g, x, gy }) => {
      const zero = g.scalarLike(0, gy[0]!);
      return [undefined, g.sumTo(g.op("Where", [x[0]!, gy[0]!, zero]), x[1]!), g.sumTo(g.op("Where", [x[0]!, zero, gy[0]!]), x[2]!)];
    },
  },
  // Expand(x, shape): broadcasting, so the cotangent is summed back.
  Expand: { diff: [0], vjp: ({ g, x, gy }) => [g.sumTo(gy[0]!, x[0]!)] },
  // Cast between float types (float ↔ float16 ↔ double): cast the cotangent back.
  Cast: { diff: [0], vjp: ({ g, x, gy }) => [g.op("CastLike", [gy[0]!, x[0]!])], stops: (a) => !FLOAT_TYPES.has(a.int("to", 0)) },
  CastLike: { diff: [0], vjp: ({ g, x, gy }) => [g.op("CastLike", [gy[0]!, x[0]!])] },
};

/** Max/Min: `cmp` picks where the first input won. */
function select({ g, x, gy }: import("./types.js").GradContext, cmp: string): (string | undefined)[] {
  if (x.length === 1) return [gy[0]];
  if (x.length !== 2) throw new Error(`Max/Min with ${x.length} inputs has no VJP rule (only 1 or 2)`);
  const first = g.op(cmp, [x[0]!, x[1]!]);
  const zero = g.scalarLike(0, gy[0]!);
  return [g.sumTo(g.op("Where", [first, gy[0]!, zero]), x[0]!), g.sumTo(g.op("Where", [first, zero, gy[0]!]), x[1]!)];
}
