/**
 * The uv interpolation adjoint's barycentric part (interpolate.ts interpolateBackwardBary,
 * C = 2) as a WebAssembly SIMD kernel: per covered pixel, both channels' g·(a1 − a0) and
 * g·(a2 − a0) in one f64x2 instruction each, summed from 0 in channel order, and the += into
 * dL/dbary rounded to float32, as the JS loop does. A zero gradient channel, which JS skips,
 * adds an exact +0 (masked), which leaves the sums' bytes unchanged (they start at +0, so they
 * never hold −0). Declines (the caller runs JS) for C ≠ 2 and arrays outside a WasmArena.
 */
import { I32, V128, brIf, f64, f64x2, i32, local, moduleBytes, v128, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, pixelLoop, store2, wasmKernelsEnabled } from "./kernel.js";

/** Parameters: pixels p0, p1; byte addresses of ids, triangles, attr [V*2], dL/dout [N*2], dL/dbary [N*2]. */
const P = { p0: 0, p1: 1, ids: 2, tris: 3, attr: 4, grad: 5, gBary: 6 } as const;
const PARAMS = new Array(7).fill(I32);

export function interpBaryBytes(): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const, lane = f64x2.extract;
  const p = L.next(I32), id = L.next(I32), t3 = L.next(I32), addr = L.next(I32);
  const G = L.next(V128), NZ = L.next(V128), A0 = L.next(V128), T1 = L.next(V128), T2 = L.next(V128);
  const vertex = (k: number) => f64x2.loadF32x2(i32.add(g(P.attr), i32.shl(i32.load(i32.add(g(P.tris), g(t3)), 4 * k), ci(3))));
  const sum = (T: number) => f64.add(f64.add(cf(0), lane(g(T), 0)), lane(g(T), 1));
  const pixel: Code[] = [
    local.set(id, i32.load(i32.add(g(P.ids), i32.shl(g(p), ci(2))))),
    brIf(0, i32.eqz(g(id))),
    local.set(t3, i32.mul(i32.sub(g(id), ci(1)), ci(12))),
    local.set(G, f64x2.loadF32x2(i32.add(g(P.grad), i32.shl(g(p), ci(3))))),
    local.set(NZ, f64x2.ne(g(G), f64x2.splat(cf(0)))),
    local.set(A0, vertex(0)),
    local.set(T1, v128.and(f64x2.mul(g(G), f64x2.sub(vertex(1), g(A0))), g(NZ))),
    local.set(T2, v128.and(f64x2.mul(g(G), f64x2.sub(vertex(2), g(A0))), g(NZ))),
    local.set(addr, i32.add(g(P.gBary), i32.shl(g(p), ci(3)))),
    store2(g(addr), f64x2.add(f64x2.loadF32x2(g(addr)), f64x2.replace(f64x2.splat(sum(T1)), 1, sum(T2)))),
  ];
  return moduleBytes("backward", PARAMS, L.types, pixelLoop(p, pixel), true);
}

let calls = 0;
/** How many calls the kernel has run in this thread (tests check that it ran). */
export function wasmInterpCalls(): number {
  return calls;
}

/** interpolateBackwardBary's loop in WebAssembly when it can (C = 2, arrays in an arena); false = run JS. */
export function interpolateBackwardBaryWasm(ids: Int32Array, tris: Uint32Array, attr: Float32Array, C: number, gradOut: Float32Array, gBary: Float32Array, p0: number, p1: number): boolean {
  if (!wasmKernelsEnabled() || C !== 2 || p1 <= p0) return false;
  const where = arenaOffsets([ids, tris, attr, gradOut, gBary]);
  if (!where) return false;
  const fn = kernelOn(where.memory, "interpbary2", "backward", interpBaryBytes);
  if (!fn) return false;
  const [i, t, a, gr, gb] = where.offsets as number[];
  fn(p0, p1, i!, t!, a!, gr!, gb!);
  calls++;
  return true;
}
