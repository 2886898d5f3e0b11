/**
 * Graph surgery on public exports.
 *
 * `exposeTokenEmbeddings`: a CLIP text encoder looks up its token embeddings with one
 * `Gather(token_table[V, D], input_ids)` (through Reshape/Cast of the ids in HF exports).
 * Cutting that node out and feeding its output as a new graph input `inputs_embeds`
 * [B, S, D] lets learned vectors enter the encoder as token embeddings (DreamFace Eq. 9's
 * prompt tuning) instead of overwriting its output. `input_ids` stays an input: the pooled
 * output still finds the end-of-text token by argmax over the ids.
 *
 * `adaptCotangentChannels`: the VJP of an 8-channel `latent_parameters` encoder (mean ‖ logvar)
 * takes a 4-channel cotangent of the mean, padded with zeros for the logvar half.
 */
import { DT, num, onnx, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.js";
import { VjpError } from "./vjp.js";

/** Ops an id tensor may pass through on its way to the token-embedding Gather. */
const ID_PASSTHROUGH = new Set(["Reshape", "Cast", "Unsqueeze", "Squeeze", "Identity", "Flatten"]);

export function exposeTokenEmbeddings(model: ModelProto, { ids = "input_ids", name = "inputs_embeds" } = {}): ModelProto {
  const graph = model.graph;
  if (!graph) throw new VjpError("the model has no graph");
  const { idsInfo, gather, table } = findTokenGather(graph, ids);
  const out = gather.output![0]!;
  const embeds = embedsInfo(idsInfo, table, name);
  const rename = (v: string) => (v === out ? name : v);
  const nodes = (graph.node ?? []).filter((n) => n !== gather).map((n) => onnx.NodeProto.create({ ...n, input: (n.input ?? []).map(rename) }));
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  return onnx.ModelProto.create({
    ...model,
    docString: `${model.docString ?? ""} [dreamface: token embeddings exposed as input "${name}"]`.trim(),
    graph: onnx.GraphProto.create({
      ...graph,
      node: nodes,
      initializer: (graph.initializer ?? []).filter((t) => used.has(t.name ?? "") || (graph.output ?? []).some((o) => o.name === t.name)),
      input: [...(graph.input ?? []), embeds],
      output: (graph.output ?? []).map((o) => (o.name === out ? { ...o, name } : o)),
    }),
  });
}

/** The token-embedding `Gather(table[V, D], ids…)` of a CLIP text encoder, with its table and the ids' info. */
function findTokenGather(graph: GraphProto, ids: string): { idsInfo: ValueInfoProto; gather: NodeProto; table: TensorProto } {
  const idsInfo = (graph.input ?? []).find((v) => v.name === ids);
  if (!idsInfo) throw new VjpError(`the text encoder has no input "${ids}"`);
  const tables = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t]));
  const fromIds = new Set([ids]);
  for (const n of graph.node ?? []) if (ID_PASSTHROUGH.has(n.opType ?? "") && fromIds.has(n.input?.[0] ?? "")) (n.output ?? []).forEach((o) => fromIds.add(o));
  const candidates = (graph.node ?? []).filter((n) => n.opType === "Gather" && fromIds.has(n.input?.[1] ?? "") && tables.get(n.input?.[0] ?? "")?.dims?.length === 2);
  if (!candidates.length) throw new VjpError(`no token-embedding Gather fed by "${ids}" found: is this a CLIP text encoder?`);
  // The token table is the largest (the vocabulary); a position table would be fed by position ids.
  const size = (n: NodeProto) => num(tables.get(n.input![0]!)!.dims![0] as never);
  const gather = candidates.reduce((a, b) => (size(b) > size(a) ? b : a));
  return { idsInfo, gather, table: tables.get(gather.input![0]!)! };
}

/** [ids' dims…, D] in the table's dtype. */
function embedsInfo(idsInfo: ValueInfoProto, table: TensorProto, name: string): ValueInfoProto {
  const idDims = idsInfo.type?.tensorType?.shape?.dim ?? [];
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: table.dataType ?? DT.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: [...idDims.map((d) => onnx.TensorShapeProto.Dimension.create(d)), onnx.TensorShapeProto.Dimension.create({ dimValue: num(table.dims![1] as never) })],
        }),
      }),
    }),
  });
}

/**
 * The part `exposeTokenEmbeddings` cuts out, as its own graph: `input_ids` → the token-embedding
 * Gather's output, named `inputs_embeds` [B, S, D]. Together the two graphs compute the text
 * encoder; apart, the prompt's token embeddings can be edited (Eq. 9's Q(T, C_d)) in between.
 * The graph keeps every node the Gather's output needs (the ids' Reshape/Cast chain) and
 * nothing else; a Gather that needs another graph input is not a token lookup.
 */
export function extractTokenEmbeddings(model: ModelProto, { ids = "input_ids", name = "inputs_embeds" } = {}): ModelProto {
  const graph = model.graph;
  if (!graph) throw new VjpError("the model has no graph");
  const { idsInfo, gather, table } = findTokenGather(graph, ids);
  const producer = new Map((graph.node ?? []).flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t]));
  const keep = new Set<NodeProto>();
  const usedInit = new Set<string>();
  const visit = (v: string) => {
    if (!v || v === ids) return;
    if (initializers.has(v)) return void usedInit.add(v);
    const n = producer.get(v);
    if (!n) throw new VjpError(`the token-embedding Gather depends on graph input "${v}", not only on "${ids}"`);
    if (keep.has(n)) return;
    keep.add(n);
    (n.input ?? []).forEach(visit);
  };
  visit(gather.output![0]!);
  const out = gather.output![0]!;
  const rename = (v: string) => (v === out ? name : v);
  const nodes = (graph.node ?? []).filter((n) => keep.has(n)).map((n) => onnx.NodeProto.create({ ...n, output: (n.output ?? []).map(rename) }));
  return onnx.ModelProto.create({
    ...model,
    docString: `${model.docString ?? ""} [dreamface: the token-embedding lookup alone, output "${name}"]`.trim(),
    graph: onnx.GraphProto.create({
      name: `${graph.name ?? "text_encoder"}_token_embeddings`,
      node: nodes,
      initializer: (graph.initializer ?? []).filter((t) => usedInit.has(t.name ?? "")),
      input: [idsInfo],
      output: [embedsInfo(idsInfo, table, name)],
    }),
  });
}

/**
 * Replaces graph input `from` ([B, 2C, …], the cotangent of mean ‖ logvar) by `to` ([B, C, …],
 * the cotangent of the mean alone), zero-padded on axis 1 inside the graph.
 */
export function adaptCotangentChannels(model: ModelProto, from: string, to: string): ModelProto {
  const graph = model.graph!;
  const info = (graph.input ?? []).find((v) => v.name === from);
  if (!info) throw new VjpError(`the VJP graph has no input "${from}"`);
  const dims = info.type?.tensorType?.shape?.dim ?? [];
  const channels = num(dims[1]?.dimValue as never);
  if (dims.length !== 4 || !channels || channels % 2) throw new VjpError(`"${from}" should be [B, 2C, h, w] with a fixed even C, got ${dims.length} dims`);
  const half = channels / 2;
  const newInfo = onnx.ValueInfoProto.create({
    name: to,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: info.type!.tensorType!.elemType ?? DT.FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: dims.map((d, k) => onnx.TensorShapeProto.Dimension.create(k === 1 ? { dimValue: half } : d)) }),
      }),
    }),
  });
  const pads = onnx.TensorProto.create({ name: `${to}/pads`, dims: [8], dataType: DT.INT64, rawData: new Uint8Array(BigInt64Array.from([0n, 0n, 0n, 0n, 0n, BigInt(half), 0n, 0n]).buffer) });
  const pad = onnx.NodeProto.create({ opType: "Pad", name: `${to}/pad`, input: [to, pads.name!], output: [from] });
  return onnx.ModelProto.create({
    ...model,
    graph: onnx.GraphProto.create({
      ...graph,
      node: [pad, ...(graph.node ?? [])],
      initializer: [...(graph.initializer ?? []), pads],
      input: (graph.input ?? []).map((v) => (v.name === from ? newInfo : v)),
    }),
  });
}
