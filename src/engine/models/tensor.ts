/**
 * Tensor helpers: construction, float16 bit conversion and casting between the dtypes the
 * public exports use. Pure TypeScript so both backends and the wrappers share them.
 */
import type { Tensor, TensorDType } from "./backend.js";

export function tensor(dtype: TensorDType, data: Tensor["data"], dims: readonly number[]): Tensor {
  const n = sizeOf(dims);
  if (data.length !== n) throw new Error(`tensor data has ${data.length} elements but dims [${dims.join(",")}] need ${n}`);
  return { dtype, data, dims: [...dims] };
}

export const f32 = (data: Float32Array | number[], dims: readonly number[]): Tensor =>
  tensor("float32", data instanceof Float32Array ? data : Float32Array.from(data), dims);

export const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

const DTYPES: ReadonlySet<string> = new Set<TensorDType>(["float32", "float16", "int32", "int64"]);

/** Whether a dtype an ONNX file declares is one a Tensor can hold. */
export const isTensorDType = (dtype: string): dtype is TensorDType => DTYPES.has(dtype);

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE half bits from a float (round to nearest even). */
export function toHalf(value: number): number {
  f32buf[0] = value;
  const x = u32buf[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Float from IEEE half bits. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Values as plain numbers (int64 through Number: ids and timesteps are small). */
function toNumbers(t: Tensor): ArrayLike<number> {
  switch (t.dtype) {
    case "float32":
    case "int32":
      return t.data as Float32Array | Int32Array;
    case "float16": {
      const src = t.data as Uint16Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = fromHalf(src[i]!);
      return out;
    }
    case "int64": {
      const src = t.data as BigInt64Array;
      const out = new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]!);
      return out;
    }
  }
}

/** The same values in another dtype (ints are rounded; no-op when the dtype already matches). */
export function cast(t: Tensor, dtype: TensorDType): Tensor {
  if (t.dtype === dtype) return t;
  const v = toNumbers(t);
  const n = v.length;
  switch (dtype) {
    case "float32":
      return tensor(dtype, Float32Array.from(v), t.dims);
    case "float16": {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = toHalf(v[i]!);
      return tensor(dtype, out, t.dims);
    }
    case "int32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.round(v[i]!);
      return tensor(dtype, out, t.dims);
    }
    case "int64": {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(Math.round(v[i]!));
      return tensor(dtype, out, t.dims);
    }
  }
}

/** Float32 view of any tensor's values (outputs of fp16 exports). */
export function asFloat32(t: Tensor): Float32Array {
  return cast(t, "float32").data as Float32Array;
}

/** The tensor as float32, same dims: what every wrapper returns, whatever dtype the export gives. */
export const asFloat32Tensor = (t: Tensor): Tensor => tensor("float32", asFloat32(t), t.dims);

/** Concatenates tensors of the same dtype along axis 0. */
export function concat0(ts: readonly Tensor[]): Tensor {
  const first = ts[0]!;
  const rest = first.dims.slice(1).join(",");
  for (const t of ts) {
    if (t.dtype !== first.dtype || t.dims.slice(1).join(",") !== rest) throw new Error("concat0: tensors differ in dtype or trailing dims");
  }
  const total = ts.reduce((a, t) => a + t.data.length, 0);
  const Ctor = first.data.constructor as { new (n: number): Tensor["data"] };
  const out = new Ctor(total);
  let off = 0;
  for (const t of ts) {
    (out as Float32Array).set(t.data as Float32Array, off);
    off += t.data.length;
  }
  return tensor(first.dtype, out, [ts.reduce((a, t) => a + t.dims[0]!, 0), ...first.dims.slice(1)]);
}

/** Splits along axis 0 into `parts` equal tensors. */
export function split0(t: Tensor, parts: number): Tensor[] {
  const b = t.dims[0]!;
  if (b % parts !== 0) throw new Error(`split0: batch ${b} not divisible by ${parts}`);
  const per = t.data.length / parts;
  return Array.from({ length: parts }, (_, i) => tensor(t.dtype, t.data.slice(i * per, (i + 1) * per), [b / parts, ...t.dims.slice(1)]));
}
