/**
 * Reverse-mode autodiff over ONNX graphs: from a forward ModelProto, the model of its
 * vector-Jacobian product.
 *
 *   inputs:  every input of the forward graph, plus `grad_<output>` (the cotangent ȳ of one output)
 *   outputs: `grad_<x>` = (∂output/∂x)ᵀ·ȳ for each x in `wrt`
 *
 * The VJP graph recomputes the forward inside itself (same node and value names), then runs
 * one rule per node in reverse order (./rules/). Only values that depend on a `wrt` input
 * through differentiable inputs are differentiated ("active"); integer and shape paths
 * (Shape, Gather on shapes, Concat of dims, Cast to int, Range, Equal, Where conditions) and
 * random draws (RandomNormalLike: one draw per evaluation, a constant of it) are not.
 * Afterwards every node and initializer that no output needs is pruned, so a VJP of a
 * two-output model carries only what the chosen output needs.
 *
 * Initializers are shared by reference, external-data locations included: writing the model
 * beside the forward's file keeps `weights.pb`/`model.onnx_data` valid (data-loaders/models/vjp-file.ts).
 */
import { Emitter } from "./emitter.js";
import { Attrs, DT, num, onnx, opsetOf, renamedInfo, type ModelProto, type NodeProto, type ValueInfoProto } from "./proto.js";
import { NON_DIFFERENTIABLE, RULES } from "./rules/index.js";

export interface VjpOptions {
  /** Graph inputs to differentiate with respect to. */
  readonly wrt: readonly string[];
  /** The output whose cotangent is given; needed only when the graph has several. */
  readonly output?: string;
}

/** A graph the autodiff cannot differentiate, with the reason (op and node named). */
export class VjpError extends Error {
  override name = "VjpError";
}

/** The VJP graph needs CastLike (15) and ScatterND's reduction (16); opsets 13–15 are forward compatible. */
export const MIN_OPSET = 13;
export const VJP_OPSET = 16;

const FLOATS = new Set<number>([DT.FLOAT, DT.FLOAT16, DT.DOUBLE, DT.BFLOAT16]);

export function vjpModel(model: ModelProto, options: VjpOptions): ModelProto {
  const graph = model.graph;
  if (!graph) throw new VjpError("the model has no graph");
  const opset = opsetOf(model);
  if (opset < MIN_OPSET) throw new VjpError(`opset ${opset} is not supported (need ${MIN_OPSET} or newer; re-export with opset_version=14 or later)`);
  const target = Math.max(opset, VJP_OPSET);

  const initNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ""));
  const inputs = (graph.input ?? []).filter((v) => !initNames.has(v.name ?? ""));
  const outputName = chooseOutput(graph.output ?? [], options.output);
  const outputInfo = (graph.output ?? []).find((o) => o.name === outputName)!;
  if (options.wrt.length === 0) throw new VjpError("nothing to differentiate: give at least one --wrt input");
  const wrtInfos = options.wrt.map((w) => {
    const info = inputs.find((v) => v.name === w);
    if (!info) throw new VjpError(`"${w}" is not an input of the graph (inputs: ${inputs.map((v) => v.name).join(", ") || "none"})`);
    const t = info.type?.tensorType?.elemType;
    if (t != null && !FLOATS.has(t)) throw new VjpError(`input "${w}" is not a float tensor (ONNX type ${t}); only float inputs have gradients`);
    return info;
  });

  const nodes = topological(graph.node ?? [], new Set([...inputs.map((v) => v.name ?? ""), ...initNames]));
  const active = activeValues(nodes, options.wrt);

  const taken = new Set<string>([...initNames, ...inputs.map((v) => v.name ?? ""), ...nodes.flatMap((n) => [...(n.input ?? []), ...(n.output ?? []), n.name ?? ""])]);
  const seed = `grad_${outputName}`;
  const gradNames = options.wrt.map((w) => `grad_${w}`);
  for (const n of [seed, ...gradNames]) if (taken.has(n)) throw new VjpError(`the graph already has a value named "${n}"`);
  [seed, ...gradNames].forEach((n) => taken.add(n));

  const g = new Emitter(target, taken);
  const contributions = new Map<string, string[]>([[outputName, [seed]]]);
  const collect = (v: string): string | undefined => {
    const c = contributions.get(v);
    return c?.length ? g.sum(c) : undefined;
  };

  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const op = node.opType ?? "";
    const outs = node.output ?? [];
    if (!outs.some((o) => active.has(o) && contributions.has(o))) continue;
    const rule = RULES[op];
    const attrs = new Attrs(node);
    if (NON_DIFFERENTIABLE.has(op) || rule?.stops?.(attrs)) continue;
    if (node.domain && node.domain !== "ai.onnx") throw new VjpError(`no VJP rule for op "${node.domain}.${op}" (node "${node.name ?? "?"}"): only default-domain ops are supported`);
    if (!rule) throw new VjpError(`no VJP rule for op "${op}" (node "${node.name ?? "?"}"); the ops with rules are listed in models/README.md`);
    const xs = (node.input ?? []).map((v) => v ?? "");
    const wants = xs.map((v, k) => v !== "" && active.has(v) && isDiff(rule.diff, k));
    const gy = outs.map((o) => (active.has(o) ? collect(o) : undefined));
    const grads = rule.vjp({ node, attrs, x: xs, y: outs, gy, wants, g, opset: target });
    xs.forEach((v, k) => {
      const gk = grads[k];
      if (!wants[k] || !gk) return;
      const list = contributions.get(v);
      if (list) list.push(gk);
      else contributions.set(v, [gk]);
    });
  }

  options.wrt.forEach((w, k) => {
    const total = collect(w) ?? g.zerosLike(w);
    g.op("Identity", [total], {}, [gradNames[k]!]);
  });

  const graphOut = wrtInfos.map((info, k) => renamedInfo(info, gradNames[k]!));
  const all = pruneDead([...nodes, ...g.nodes], new Set(gradNames));
  const used = new Set(all.flatMap((n) => n.input ?? []));
  const kept = new Set(all.flatMap((n) => n.output ?? []));
  return onnx.ModelProto.create({
    irVersion: Math.max(num(model.irVersion as never), 8),
    producerName: "dreamface-autodiff",
    producerVersion: "1",
    docString: `VJP of ${graph.name ?? "graph"} w.r.t. ${options.wrt.join(", ")} for output ${outputName} (dreamface models vjp)`,
    opsetImport: [
      ...(model.opsetImport ?? []).filter((o) => o.domain && o.domain !== "ai.onnx"),
      onnx.OperatorSetIdProto.create({ domain: "", version: target }),
    ],
    graph: onnx.GraphProto.create({
      name: `${graph.name ?? "graph"}_vjp`,
      node: all,
      initializer: (graph.initializer ?? []).filter((t) => used.has(t.name ?? "")),
      input: [...inputs, renamedInfo(outputInfo, seed)],
      output: graphOut,
      valueInfo: (graph.valueInfo ?? []).filter((v) => kept.has(v.name ?? "")),
    }),
  });
}

function isDiff(diff: "all" | readonly number[], k: number): boolean {
  return diff === "all" || diff.includes(k);
}

function chooseOutput(outputs: readonly ValueInfoProto[], wanted: string | undefined): string {
  const names = outputs.map((o) => o.name ?? "");
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new VjpError(`"${wanted}" is not an output of the graph (outputs: ${names.join(", ")})`);
    return wanted;
  }
  if (names.length !== 1) throw new VjpError(`the graph has ${names.length} outputs (${names.join(", ")}): choose one with --output`);
  return names[0]!;
}

/** Values that depend on a `wrt` input through differentiable inputs. */
function activeValues(nodes: readonly NodeProto[], wrt: readonly string[]): Set<string> {
  const active = new Set(wrt);
  for (const node of nodes) {
    const op = node.opType ?? "";
    if (NON_DIFFERENTIABLE.has(op)) continue;
    const rule = RULES[op];
    if (rule?.stops?.(new Attrs(node))) continue;
    const diff = rule?.diff ?? "all"; // an op without a rule propagates, so using it is an error later
    if ((node.input ?? []).some((v, k) => v && active.has(v) && isDiff(diff, k))) for (const o of node.output ?? []) if (o) active.add(o);
  }
  return active;
}

/** Nodes in an order where every input is produced before use (exporters already comply; this checks). */
function topological(nodes: readonly NodeProto[], available: Set<string>): NodeProto[] {
  const have = new Set(available);
  const ready = (n: NodeProto) => (n.input ?? []).every((v) => !v || have.has(v));
  if (nodes.every((n) => (ready(n) ? ((n.output ?? []).forEach((o) => have.add(o)), true) : false))) return [...nodes];
  const out: NodeProto[] = [];
  const done = new Set(available);
  let rest = [...nodes];
  while (rest.length) {
    const next = rest.filter((n) => (n.input ?? []).every((v) => !v || done.has(v)));
    if (!next.length) throw new VjpError(`the graph has a cycle or uses undefined values (e.g. node "${rest[0]!.name}" input ${(rest[0]!.input ?? []).find((v) => v && !done.has(v))})`);
    for (const n of next) (n.output ?? []).forEach((o) => done.add(o));
    out.push(...next);
    rest = rest.filter((n) => !next.includes(n));
  }
  return out;
}

/** Drops nodes none of whose outputs is (transitively) needed. */
function pruneDead(nodes: readonly NodeProto[], needed: Set<string>): NodeProto[] {
  const keep: NodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    keep.push(n);
    for (const v of n.input ?? []) if (v) needed.add(v);
  }
  return keep.reverse();
}
