/**
 * The two clip-space barycentric loops of rasterize.ts as WebAssembly SIMD kernels: resolve
 * (pass 2: perspective-correct (b1, b2) per covered pixel) and rasterizeBackwardClip
 * (dL/dbary → dL/dclip). Per pixel, qk = (xk, yk) − (px, py)·wk is one f64x2 expression, the
 * cross products c0…c2 and 1/(c0 + c1 + c2) are scalar, and the adjoint's dL/dqk and its
 * += into dL/dclip's x, y run two lanes per instruction. Every value is the JS loop's float64
 * expression in its order (a − b·c as a + b·(−c) is exact), so resolve's float32 stores and
 * the adjoint's float64 sums are the JS loop's bytes.
 *
 * Declines (the caller runs JS) for arrays outside a WasmArena or without SIMD.
 */
import { F64, I32, V128, block, br, brIf, f64, f64x2, i32, local, loop, moduleBytes, v128, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, store2, wasmKernelsEnabled } from "./kernel.js";

/** Parameters: rows y0, y1; W, H; byte addresses of ids, clip, triangles, bary (resolve) or dL/dbary (adjoint), dL/dclip. */
const P = { y0: 0, y1: 1, W: 2, H: 3, ids: 4, clip: 5, tris: 6, bary: 7, gClip: 8 } as const;
const PARAMS = new Array(9).fill(I32);

export function clipKernelBytes(backward: boolean): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const, lane = f64x2.extract;
  const y = L.next(I32), x = L.next(I32), idx = L.next(I32), id = L.next(I32), t3 = L.next(I32);
  const a0 = L.next(I32), a1 = L.next(I32), a2 = L.next(I32);
  const py = L.next(F64), px = L.next(F64), PXY = L.next(V128);
  const Q0 = L.next(V128), Q1 = L.next(V128), Q2 = L.next(V128);
  const c0 = L.next(F64), c1 = L.next(F64), c2 = L.next(F64), inv = L.next(F64);
  const G = L.next(V128), g1 = L.next(F64), g2 = L.next(F64), s = L.next(F64);
  const GC0 = L.next(V128), GC1 = L.next(V128), GC2 = L.next(V128), N0 = L.next(V128), N1 = L.next(V128), N2 = L.next(V128), GQ = L.next(V128);
  const fW = L.next(F64), fH = L.next(F64);

  // The vertex's clip (x, y, z, w) at byte address a: q = (x, y) − (px, py)·w.
  const q = (a: number) => f64x2.sub(v128.load(g(a)), f64x2.mul(g(PXY), f64x2.splat(f64.load(g(a), 24))));
  const vertex = (k: number) => i32.add(g(P.clip), i32.shl(i32.load(i32.add(g(P.tris), g(t3)), 4 * k), ci(5)));
  const pixel: Code[] = [
    local.set(idx, i32.add(i32.mul(g(y), g(P.W)), g(x))),
    local.set(id, i32.load(i32.add(g(P.ids), i32.shl(g(idx), ci(2))))),
    brIf(0, i32.eqz(g(id))),
  ];
  if (backward) {
    pixel.push(
      local.set(G, f64x2.loadF32x2(i32.add(g(P.bary), i32.shl(g(idx), ci(3))))),
      local.set(g1, lane(g(G), 0)), local.set(g2, lane(g(G), 1)),
      brIf(0, i32.and(f64.eq(g(g1), cf(0)), f64.eq(g(g2), cf(0)))),
    );
  }
  const x_ = (v: number) => lane(g(v), 0), y_ = (v: number) => lane(g(v), 1);
  const cross = (a: number, b: number) => f64.sub(f64.mul(x_(a), y_(b)), f64.mul(y_(a), x_(b)));
  pixel.push(
    // px = ((x + 0.5)/W)·2 − 1
    local.set(px, f64.sub(f64.mul(f64.div(f64.add(f64.convert_i32_s(g(x)), cf(0.5)), g(fW)), cf(2)), cf(1))),
    local.set(PXY, f64x2.replace(g(PXY), 0, g(px))),
    local.set(t3, i32.mul(i32.sub(g(id), ci(1)), ci(12))),
    local.set(a0, vertex(0)), local.set(a1, vertex(1)), local.set(a2, vertex(2)),
    local.set(Q0, q(a0)), local.set(Q1, q(a1)), local.set(Q2, q(a2)),
    local.set(c0, cross(Q1, Q2)), local.set(c1, cross(Q2, Q0)), local.set(c2, cross(Q0, Q1)),
    local.set(inv, f64.div(cf(1), f64.add(f64.add(g(c0), g(c1)), g(c2)))),
  );
  if (!backward) {
    // bary = (c1·inv, c2·inv) as float32
    pixel.push(store2(i32.add(g(P.bary), i32.shl(g(idx), ci(3))), f64x2.mul(f64x2.replace(f64x2.splat(g(c1)), 1, g(c2)), f64x2.splat(g(inv)))));
  } else {
    // perp(q) = (−qy, qx), nperp(q) = (qy, −qx); dL/dq0 = gc1·perp(q2) + gc2·nperp(q1), and so on
    // (JS's gq0x = gc1·−q2y + gc2·q1y, gq0y = gc1·q2x − gc2·q1x).
    const perp = (Q: number, N: number) => f64x2.pick10(g(Q), g(N));
    const nperp = (Q: number, N: number) => f64x2.pick01(g(Q), g(N));
    const scatter = (a: number, gq: Code): Code[] => [
      local.set(GQ, gq),
      v128.store(g(a), f64x2.add(v128.load(g(a)), g(GQ))),
      // gClip[w] −= px·gqx + py·gqy
      f64.store(g(a), f64.sub(f64.load(g(a), 24), f64.add(lane(f64x2.mul(g(PXY), g(GQ)), 0), lane(f64x2.mul(g(PXY), g(GQ)), 1))), 24),
    ];
    const term = (GC: number, v: Code) => f64x2.mul(g(GC), v);
    pixel.push(
      local.set(s, f64.mul(f64.mul(f64.add(f64.mul(g(g1), g(c1)), f64.mul(g(g2), g(c2))), g(inv)), g(inv))),
      local.set(GC0, f64x2.splat(f64.neg(g(s)))),
      local.set(GC1, f64x2.splat(f64.sub(f64.mul(g(g1), g(inv)), g(s)))),
      local.set(GC2, f64x2.splat(f64.sub(f64.mul(g(g2), g(inv)), g(s)))),
      local.set(N0, f64x2.neg(g(Q0))), local.set(N1, f64x2.neg(g(Q1))), local.set(N2, f64x2.neg(g(Q2))),
      // clip addresses → dL/dclip addresses; vertex by vertex in JS's order (a repeated vertex sums in turn)
      local.set(a0, i32.add(g(P.gClip), i32.sub(g(a0), g(P.clip)))),
      local.set(a1, i32.add(g(P.gClip), i32.sub(g(a1), g(P.clip)))),
      local.set(a2, i32.add(g(P.gClip), i32.sub(g(a2), g(P.clip)))),
      ...scatter(a0, f64x2.add(term(GC1, perp(Q2, N2)), term(GC2, nperp(Q1, N1)))),
      ...scatter(a1, f64x2.add(term(GC0, nperp(Q2, N2)), term(GC2, perp(Q0, N0)))),
      ...scatter(a2, f64x2.add(term(GC0, perp(Q1, N1)), term(GC1, nperp(Q0, N0)))),
    );
  }
  const body: Code[] = [
    local.set(fW, f64.convert_i32_s(g(P.W))), local.set(fH, f64.convert_i32_s(g(P.H))),
    local.set(y, g(P.y0)),
    block(loop(
      brIf(1, i32.ge_s(g(y), g(P.y1))),
      // py = 1 − ((y + 0.5)/H)·2
      local.set(py, f64.sub(cf(1), f64.mul(f64.div(f64.add(f64.convert_i32_s(g(y)), cf(0.5)), g(fH)), cf(2)))),
      local.set(PXY, f64x2.splat(g(py))),
      local.set(x, ci(0)),
      block(loop(
        brIf(1, i32.ge_s(g(x), g(P.W))),
        block(...pixel),
        local.set(x, i32.add(g(x), ci(1))),
        br(0),
      )),
      local.set(y, i32.add(g(y), ci(1))),
      br(0),
    )),
  ];
  return moduleBytes(backward ? "backward" : "resolve", PARAMS, L.types, body.flat(), true);
}

const calls = { resolve: 0, backward: 0 };
/** How many calls each kernel has run in this thread (tests check that they ran). */
export function wasmClipCalls(): { resolve: number; backward: number } {
  return { ...calls };
}

function run(backward: boolean, ids: Int32Array, W: number, clip: Float64Array, tris: Uint32Array, bary: Float32Array, gClip: Float64Array | null, y0: number, y1: number): boolean {
  if (!wasmKernelsEnabled() || y1 <= y0) return false;
  const where = arenaOffsets([ids, clip, tris, bary, gClip]);
  if (!where) return false;
  const name = backward ? "backward" : "resolve";
  const fn = kernelOn(where.memory, `clip${name}`, name, () => clipKernelBytes(backward));
  if (!fn) return false;
  const [i, c, t, b, gc] = where.offsets as number[];
  fn(y0, y1, W, ids.length / W, i!, c!, t!, b!, gc!);
  calls[name]++;
  return true;
}

/** resolve()'s loop (rasterize.ts) in WebAssembly when it can; false = run JS. */
export function resolveWasm(clip: Float64Array, tris: Uint32Array, W: number, ids: Int32Array, bary: Float32Array, y0: number, y1: number): boolean {
  return run(false, ids, W, clip, tris, bary, null, y0, y1);
}

/** rasterizeBackwardClip's loop in WebAssembly when it can; false = run JS. */
export function rasterizeBackwardClipWasm(ids: Int32Array, W: number, clip: Float64Array, tris: Uint32Array, gradBary: Float32Array, gClip: Float64Array, y0: number, y1: number): boolean {
  return run(true, ids, W, clip, tris, gradBary, gClip, y0, y1);
}
