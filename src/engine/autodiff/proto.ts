/**
 * The ONNX protobuf types the autodiff reads and writes, and small readers over them.
 * onnx-proto is protobufjs generated code: int64 fields may decode as Long objects, so every
 * integer goes through `num`.
 */
import onnxProto from "onnx-proto";

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

type IntLike = number | { toNumber(): number } | null | undefined;
/** An int64 field as a number (protobufjs gives Long for large or decoded values). */
export function num(v: IntLike): number {
  if (v == null) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

/** The default-domain opset a model imports (0 when absent). */
export function opsetOf(model: ModelProto): number {
  const o = (model.opsetImport ?? []).find((x) => !x.domain || x.domain === "ai.onnx");
  return o ? num(o.version as IntLike) : 0;
}

/** Attribute access for one node. */
export class Attrs {
  private readonly map: Map<string, AttributeProto>;
  constructor(node: NodeProto) {
    this.map = new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  int(name: string, fallback: number): number {
    const a = this.map.get(name);
    return a ? num(a.i as IntLike) : fallback;
  }
  ints(name: string): number[] | undefined {
    const a = this.map.get(name);
    return a ? (a.ints ?? []).map((v) => num(v as IntLike)) : undefined;
  }
  float(name: string, fallback: number): number {
    const a = this.map.get(name);
    return a ? (a.f ?? 0) : fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.map.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }
  tensor(name: string): TensorProto | undefined {
    return this.map.get(name)?.t ?? undefined;
  }
  /** The raw attribute, to copy onto an emitted node unchanged. */
  raw(name: string): AttributeProto | undefined {
    return this.map.get(name);
  }
  all(): AttributeProto[] {
    return [...this.map.values()];
  }
}

/** Attribute values the emitter accepts: int, ints, string, float, floats, tensor, or a proto to copy. */
export type AttrValue = number | readonly number[] | string | { f: number } | { floats: readonly number[] } | { t: TensorProto } | { proto: AttributeProto };

export function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === "number") return onnx.AttributeProto.create({ name, type: AT.INT, i: value });
  if (typeof value === "string") return onnx.AttributeProto.create({ name, type: AT.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: AT.INTS, ints: [...(value as number[])] });
  const v = value as Exclude<AttrValue, number | string | readonly number[]>;
  if ("f" in v) return onnx.AttributeProto.create({ name, type: AT.FLOAT, f: v.f });
  if ("floats" in v) return onnx.AttributeProto.create({ name, type: AT.FLOATS, floats: [...v.floats] });
  if ("t" in v) return onnx.AttributeProto.create({ name, type: AT.TENSOR, t: v.t });
  return onnx.AttributeProto.create({ ...v.proto, name });
}

/** A float32 tensor proto (a scalar when dims is []). */
export function floatTensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorProto {
  const data = Float32Array.from(values);
  return onnx.TensorProto.create({ dims: [...dims], dataType: DT.FLOAT, rawData: new Uint8Array(data.buffer) });
}

/** An int64 tensor proto (a scalar when dims is []). */
export function int64Tensor(values: readonly number[], dims: readonly number[] = [values.length]): TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({ dims: [...dims], dataType: DT.INT64, rawData: new Uint8Array(data.buffer) });
}

/** A ValueInfo with the same type as `like`, renamed. */
export function renamedInfo(like: ValueInfoProto, name: string): ValueInfoProto {
  return onnx.ValueInfoProto.create({ name, type: like.type ?? null });
}
