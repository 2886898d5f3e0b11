// Every elementwise rule against central finite differences, per input (test/helpers/onnx-gradcheck.ts).
import { test } from "node:test";
import { checkOp } from "../../../../test/helpers/onnx-gradcheck.js";

const A = [2, 3, 4];
const pos = (dims: number[]) => ({ dims, positive: true });

test("Add, Sub, Mul with numpy broadcasting (both inputs)", async () => {
  for (const op of ["Add", "Sub", "Mul"]) {
    await checkOp(op, { a: A, b: A });
    await checkOp(op, { a: A, b: [3, 1] });
    await checkOp(op, { a: [1, 4], b: A });
    await checkOp(op, { a: [], b: A });
  }
});
test("Div (divisor away from 0)", () => checkOp("Div", { a: A, b: pos([3, 4]) }));
test("Pow: base and exponent", () => checkOp("Pow", { a: pos(A), b: [4] }));
test("Pow with a constant exponent 2 (float32)", () => checkOp("Pow", { a: A, b: { dims: [], data: [2], wrt: false } }, {}, { dtype: "float32" }));
test("Sum and Mean (variadic, broadcasting; Mean in float32: no float64 kernel)", async () => {
  await checkOp("Sum", { a: A, b: [4], c: [3, 1] });
  await checkOp("Mean", { a: A, b: [4] }, {}, { dtype: "float32" });
});
test("Max and Min of two", async () => {
  await checkOp("Max", { a: A, b: A });
  await checkOp("Min", { a: A, b: [4] });
});
test("unary: Neg Identity Exp Sigmoid Tanh Sin Cos Abs Softplus Reciprocal", async () => {
  for (const op of ["Neg", "Identity", "Exp", "Sigmoid", "Tanh", "Sin", "Cos", "Abs"]) await checkOp(op, { x: A });
  await checkOp("Softplus", { x: A }, {}, { dtype: "float32" });
  await checkOp("Reciprocal", { x: pos(A) });
});
test("Log and Sqrt (positive inputs)", async () => {
  await checkOp("Log", { x: pos(A) });
  await checkOp("Sqrt", { x: pos(A) });
});
test("Erf (float32: onnxruntime has no float64 Erf)", () => checkOp("Erf", { x: A }, {}, { dtype: "float32" }));
test("Relu, LeakyRelu", async () => {
  await checkOp("Relu", { x: A }, {}, { dtype: "float32" });
  await checkOp("LeakyRelu", { x: A }, { alpha: { f: 0.2 } }, { dtype: "float32" });
});
// Values kept ≥ 0.05 away from the bounds, so the finite differences never straddle a kink.
const clipX = Array.from({ length: 24 }, (_, i) => [-1.2, -0.3, 0.1, 0.45, 0.9, 1.5][i % 6]! + (i % 5) * 0.01);
test("Clip with bounds", () => checkOp("Clip", { x: { dims: A, data: clipX }, lo: { dims: [], data: [-0.5], wrt: false }, hi: { dims: [], data: [0.7], wrt: false } }, {}, { dtype: "float32", eps: 1e-3 }));
test("Where: both branches, condition not differentiated", () =>
  checkOp("Where", { c: { dims: [3, 4], dtype: "bool", data: [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1] }, a: A, b: [4] }));
test("Expand sums the cotangent back", () => checkOp("Expand", { x: [3, 1], shape: { dims: [3], dtype: "int64", data: [2, 3, 4] } }));
test("Cast float32 → float64 and back", async () => {
  await checkOp("Cast", { x: { dims: A, dtype: "float32" } }, { to: 11 }, { tol: 1e-2, eps: 1e-2 }); // the input is float32
  await checkOp("Cast", { x: { dims: A, dtype: "float64" } }, { to: 1 }, { dtype: "float32", eps: 1e-3 });
});
