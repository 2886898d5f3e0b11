/**
 * The band reduction's inner loop (bands.ts reduceBands with a target) as a WebAssembly SIMD
 * kernel: dst[i] += src[i]; src[i] = 0 over a range, four floats per instruction. f32x4.add
 * rounds each lane to float32 as JS's `dst[i] += src[i]` on a Float32Array does, so the bytes
 * are the JS loop's. Declines (the caller runs JS) for arrays outside a WasmArena or without SIMD.
 */
import { I32, block, br, brIf, f32, f32x4, i32, local, loop, moduleBytes, v128 } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, wasmKernelsEnabled } from "./kernel.js";

const PARAMS = [I32, I32, I32]; // dst, src (byte addresses), n (floats)

export function addAndClearBytes(): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const;
  const dst = 0, src = 1, n = 2, end4 = L.next(I32), end = L.next(I32);
  const body = [
    ...local.set(end, i32.add(g(src), i32.shl(g(n), ci(2)))),
    ...local.set(end4, i32.add(g(src), i32.shl(i32.and(g(n), ci(~3)), ci(2)))),
    ...block(loop(
      brIf(1, i32.eqz(i32.lt_u(g(src), g(end4)))),
      v128.store(g(dst), f32x4.add(v128.load(g(dst)), v128.load(g(src)))),
      v128.store(g(src), v128.zero()),
      local.set(src, i32.add(g(src), ci(16))), local.set(dst, i32.add(g(dst), ci(16))),
      br(0),
    )),
    ...block(loop(
      brIf(1, i32.eqz(i32.lt_u(g(src), g(end)))),
      f32.store(g(dst), f32.add(f32.load(g(dst)), f32.load(g(src)))),
      f32.store(g(src), f32.const0()),
      local.set(src, i32.add(g(src), ci(4))), local.set(dst, i32.add(g(dst), ci(4))),
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
export function addAndClearWasm(dst: Float32Array, src: Float32Array, lo: number, hi: number): boolean {
  if (!wasmKernelsEnabled() || hi <= lo) return false;
  const where = arenaOffsets([dst, src]);
  if (!where) return false;
  const fn = kernelOn(where.memory, "addAndClear", "addAndClear", addAndClearBytes);
  if (!fn) return false;
  fn(where.offsets[0]! + 4 * lo, where.offsets[1]! + 4 * lo, hi - lo);
  calls++;
  return true;
}
