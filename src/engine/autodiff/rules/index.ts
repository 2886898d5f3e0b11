/**
 * The op table: every ONNX op the autodiff differentiates, one rule each. Read a group's file
 * as a table: the op, what it computes, its VJP.
 */
import { ELEMENTWISE } from "./elementwise.js";
import { NN } from "./nn.js";
import { SHAPE } from "./shape.js";
import type { OpRule } from "./types.js";

export { NON_DIFFERENTIABLE, type GradContext, type OpRule } from "./types.js";

export const RULES: Readonly<Record<string, OpRule>> = { ...ELEMENTWISE, ...NN, ...SHAPE };
