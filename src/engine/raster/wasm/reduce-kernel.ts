/**
 * The band reduction's inner loop (bands.ts reduceBands) as WebAssembly SIMD kernels:
 * dst[i] += src[i]; src[i] = 0 over a range, four float32 (or two float64) per instruction.
 * f32x4.add rounds each lane to float32 as JS's `dst[i] += src[i]` on a Float32Array does (and
 * f64x2.add is IEEE double addition, as JS's), so the bytes are the JS loop's. Declines (the
 * caller runs JS) for arrays outside a WasmArena or without SIMD.
 */
import { I32, block, br, brIf, f32, f32x4, f64, f64x2, i32, local, loop, moduleBytes, v128 } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, wasmKernelsEnabled } from "./kernel.js";

const PARAMS = [I32, I32, I32]; // dst, src (byte addresses), n (floats)

/** The float32 kernel (n in floats); with `wide`, the float64 one (n in doubles). */
export function addAndClearBytes(wide = false): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const;
  const dst = 0, src = 1, n = 2, end4 = L.next(I32), end = L.next(I32);
  const shift = wide ? 3 : 2, perVector = wide ? 2 : 4, size = wide ? 8 : 4;
  const F = wide ? f64 : f32;
  const body = [
    ...local.set(end, i32.add(g(src), i32.shl(g(n), ci(shift)))),
    ...local.set(end4, i32.add(g(src), i32.shl(i32.and(g(n), ci(~(perVector - 1))), ci(shift)))),
    ...block(loop(
      brIf(1, i32.eqz(i32.lt_u(g(src), g(end4)))),
      v128.store(g(dst), (wide ? f64x2 : f32x4).add(v128.load(g(dst)), v128.load(g(src)))),
      v128.store(g(src), v128.zero()),
      local.set(src, i32.add(g(src), ci(16))), local.set(dst, i32.add(g(dst), ci(16))),
      br(0),
    )),
    ...block(loop(
      brIf(1, i32.eqz(i32.lt_u(g(src), g(end)))),
      F.store(g(dst), F.add(F.load(g(dst)), F.load(g(src)))),
      F.store(g(src), wide ? f64.const(0) : f32.const0()),
      local.set(src, i32.add(g(src), ci(size))), local.set(dst, i32.add(g(dst), ci(size))),
      br(0),
    )),
  ];
  return moduleBytes("addAndClear", PARAMS, L.types, body, true);
}

let calls = 0;
/** How many ranges the kernel has reduced in this thread (tests check that it ran). */
export function wasmReduceCalls(): number {
  return calls;
}

/** dst[lo..hi) += src[lo..hi), then src[lo..hi) = 0, in WebAssembly when it can; false = run JS. */
export function addAndClearWasm(dst: Float32Array | Float64Array, src: Float32Array | Float64Array, lo: number, hi: number): boolean {
  if (hi <= lo) return false;
  const add = addAndClearOn(dst, src);
  if (!add) return false;
  add(lo, hi);
  return true;
}

/**
 * addAndClearWasm's kernel bound to one pair of arrays of the same type, for callers that
 * reduce many short ranges of them (the offsets are looked up once); null = run JS.
 */
export function addAndClearOn(dst: Float32Array | Float64Array, src: Float32Array | Float64Array): ((lo: number, hi: number) => void) | null {
  if (!wasmKernelsEnabled() || dst.constructor !== src.constructor) return null;
  const where = arenaOffsets([dst, src]);
  if (!where) return null;
  const wide = dst instanceof Float64Array, size = wide ? 8 : 4;
  const fn = wide ? kernelOn(where.memory, "addAndClear64", "addAndClear", () => addAndClearBytes(true)) : kernelOn(where.memory, "addAndClear", "addAndClear", () => addAndClearBytes());
  if (!fn) return null;
  const d = where.offsets[0]!, s = where.offsets[1]!;
  return (lo, hi) => {
    if (hi <= lo) return;
    fn(d + size * lo, s + size * lo, hi - lo);
    calls++;
  };
}
