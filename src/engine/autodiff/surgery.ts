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

/** `info` renamed to `name` with dim 1 (channels) fixed to `channels`; other dims kept as declared. */
function withChannels(info: ValueInfoProto, name: string, channels: number): ValueInfoProto {
  const dims = info.type?.tensorType?.shape?.dim ?? [];
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: info.type!.tensorType!.elemType ?? DT.FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: dims.map((d, k) => onnx.TensorShapeProto.Dimension.create(k === 1 ? { dimValue: channels } : d)) }),
      }),
    }),
  });
}

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
  const newInfo = withChannels(info, to, half);
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

/**
 * Reads `length` bytes at `offset` of an external-data file named by its `location` (relative
 * to the model's folder). The engine has no file access: the Node side supplies it.
 */
export type ExternalData = (location: string, offset: number, length: number) => Uint8Array;

/**
 * Float values of a float32 initializer (raw, float_data, or external data through `external`),
 * copied. External tensors without a reader are refused: the engine cannot read files.
 */
export function initializerValues(t: TensorProto, external?: ExternalData): Float32Array {
  if ((t.dataType ?? DT.FLOAT) !== DT.FLOAT) throw new VjpError(`initializer "${t.name}" is not float32 (ONNX type ${t.dataType})`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    if (!external) throw new VjpError(`initializer "${t.name}" is stored as external data: pass a reader for the model's folder`);
    const entry = (k: string) => (t.externalData ?? []).find((e) => e.key === k)?.value ?? undefined;
    const location = entry("location");
    if (!location) throw new VjpError(`initializer "${t.name}" is external but names no location`);
    const size = (t.dims ?? []).reduce<number>((a, d) => a * num(d as never), 1);
    const length = Number(entry("length") ?? 4 * size);
    if (length !== 4 * size) throw new VjpError(`initializer "${t.name}": external length ${length} bytes, expected ${4 * size} for its dims`);
    const raw = external(location, Number(entry("offset") ?? 0), length);
    if (raw.length !== length) throw new VjpError(`initializer "${t.name}": ${location} ends before its ${length} bytes (truncated file?)`);
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  const raw = t.rawData;
  if (raw && raw.length) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  return Float32Array.from(t.floatData ?? []);
}

/**
 * Weights as graph inputs: each named initializer becomes a graph input of the same name,
 * dtype and shape, so a VJP can be taken with respect to it (training through the ONNX
 * autodiff) and an optimiser can feed new values every step. The initializers leave the graph;
 * the returned `values` are their current contents, in `names` order. Initializers stored as
 * external data are read through `external`; the ones not promoted stay external.
 */
export function promoteInitializers(model: ModelProto, names: readonly string[], external?: ExternalData): { model: ModelProto; values: Float32Array[] } {
  const graph = model.graph;
  if (!graph) throw new VjpError("the model has no graph");
  const byName = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", t]));
  const values = names.map((n) => {
    const t = byName.get(n);
    if (!t) throw new VjpError(`"${n}" is not an initializer of the graph`);
    return initializerValues(t, external);
  });
  const promoted = new Set(names);
  const inputs = names.map((n) => {
    const t = byName.get(n)!;
    return onnx.ValueInfoProto.create({
      name: n,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: DT.FLOAT,
          shape: onnx.TensorShapeProto.create({ dim: (t.dims ?? []).map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: num(d as never) })) }),
        }),
      }),
    });
  });
  return {
    model: onnx.ModelProto.create({
      ...model,
      graph: onnx.GraphProto.create({
        ...graph,
        initializer: (graph.initializer ?? []).filter((t) => !promoted.has(t.name ?? "")),
        // An exporter may also list initializers as inputs (IR < 4): keep one entry per name.
        input: [...(graph.input ?? []).filter((v) => !promoted.has(v.name ?? "")), ...inputs],
      }),
    }),
    values,
  };
}

/**
 * Adds `extra` input channels to graph input `input` [B, C, H, W]: every Conv reading it
 * directly gets zero weights for the new channels, so the widened model computes exactly what
 * the original did until training moves those weights (how SD fine-tunes add a mask channel).
 * The widened weights are stored inline (an external one is read through `external`).
 */
export function widenConvInput(model: ModelProto, input: string, extra: number, external?: ExternalData): ModelProto {
  const graph = model.graph;
  if (!graph) throw new VjpError("the model has no graph");
  const info = (graph.input ?? []).find((v) => v.name === input);
  const dims = info?.type?.tensorType?.shape?.dim ?? [];
  if (!info || dims.length !== 4) throw new VjpError(`the graph has no 4-d input "${input}"`);
  // Torch exports also take Shape(sample) for the batch size (to broadcast the timestep);
  // it sees the new channel count, which nothing downstream of a batch-size read depends on.
  const all = (graph.node ?? []).filter((n) => (n.input ?? []).includes(input));
  const readers = all.filter((n) => n.opType !== "Shape");
  if (!readers.length || readers.some((n) => n.opType !== "Conv" || n.input![0] !== input))
    throw new VjpError(`"${input}" must be read by Conv nodes (and Shape) only to be widened (readers: ${all.map((n) => n.opType).join(", ") || "none"})`);
  const widened = new Map<string, TensorProto>();
  for (const n of readers) {
    const w = (graph.initializer ?? []).find((t) => t.name === n.input![1]);
    if (!w || w.dims?.length !== 4) throw new VjpError(`conv "${n.name}" reading "${input}" has no 4-d weight initializer`);
    const [o, c, kh, kw] = w.dims.map((d) => num(d as never)) as [number, number, number, number];
    const old = initializerValues(w, external);
    const out = new Float32Array(o * (c + extra) * kh * kw);
    const k = kh * kw;
    for (let i = 0; i < o; i++) out.set(old.subarray(i * c * k, (i + 1) * c * k), i * (c + extra) * k);
    widened.set(w.name!, onnx.TensorProto.create({ name: w.name, dims: [o, c + extra, kh, kw], dataType: DT.FLOAT, rawData: new Uint8Array(out.buffer) }));
  }
  // Some exports leave the channel dim symbolic: the convs' weights fix it.
  const channels = num(dims[1]?.dimValue as never) || num(widened.values().next().value!.dims![1] as never) - extra;
  const newInfo = withChannels(info, input, channels + extra);
  return onnx.ModelProto.create({
    ...model,
    graph: onnx.GraphProto.create({
      ...graph,
      initializer: (graph.initializer ?? []).map((t) => widened.get(t.name ?? "") ?? t),
      input: (graph.input ?? []).map((v) => (v.name === input ? newInfo : v)),
    }),
  });
}
