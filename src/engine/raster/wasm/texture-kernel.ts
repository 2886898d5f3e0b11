/**
 * The texture adjoint (texture.ts sampleTextureBackward) as a WebAssembly SIMD kernel for C = 3
 * and 4, clamped: per tap, the scatter dL/dtexture += w·g runs on two channels per f64x2
 * (load, add, round to float32, store), and dL/duv's slope on two channels per instruction,
 * summed over the channels in JS's order. Float64 math and float32 rounding at JS's points, so
 * the bytes equal the JS loop's (per-band accumulation buffers: no two threads write one).
 * Where JS skips a zero gradient channel (C ≠ 3) the kernel adds an exact +0 instead, which
 * leaves every sum's bytes unchanged (the buffers start at +0 and never hold −0).
 *
 * Declines (the caller runs JS) for other channel counts, "repeat", SIMD-less runtimes and
 * arrays outside a WasmArena.
 */
import { F64, I32, V128, brIf, f32, f32x4, f64, f64x2, i32, local, moduleBytes, v128, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, pixelLoop, tapLocals, tapsCode, wasmKernelsEnabled } from "./kernel.js";

const P = { p0: 0, p1: 1, mask: 2, uv: 3, tex: 4, tw: 5, th: 6, grad: 7, gTex: 8, gUv: 9 } as const;
const PARAMS = new Array(10).fill(I32);

export function textureBackwardBytes(C: 3 | 4, hasMask: boolean, wantUv: boolean): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const, lane = f64x2.extract;
  const p = L.next(I32), base = L.next(I32), addr = L.next(I32), u = L.next(F64), v = L.next(F64);
  const UV = L.next(V128), G01 = L.next(V128), G23 = L.next(V128), NZ01 = L.next(V128), NZ23 = L.next(V128);
  const A = L.next(V128), B = L.next(V128), D = L.next(V128), E = L.next(V128), OFX = L.next(V128), OFY = L.next(V128), FX = L.next(V128), FY = L.next(V128);
  const PX01 = L.next(V128), PY01 = L.next(V128), PX23 = L.next(V128), PY23 = L.next(V128), gfx = L.next(F64), gfy = L.next(F64);
  const t = tapLocals(L);
  const pixel: Code[] = [];
  if (hasMask) pixel.push(brIf(0, i32.eqz(i32.load(i32.add(g(P.mask), i32.shl(g(p), ci(2)))))));
  pixel.push(
    local.set(UV, f64x2.loadF32x2(i32.add(g(P.uv), i32.shl(g(p), ci(3))))),
    local.set(u, lane(g(UV), 0)), local.set(v, lane(g(UV), 1)),
    tapsCode(L, t, u, v, P.tw, P.th, C),
    local.set(base, i32.add(g(P.grad), i32.mul(g(p), ci(C * 4)))),
    local.set(G01, f64x2.loadF32x2(g(base))),
  );
  if (C === 3) {
    const g2 = f64.loadF32(g(base), 8);
    pixel.push(
      local.set(G23, f64x2.splat(g2)),
      // All three channels zero: JS skips the pixel.
      brIf(0, i32.and(i32.and(f64.eq(lane(g(G01), 0), cf(0)), f64.eq(lane(g(G01), 1), cf(0))), f64.eq(lane(g(G23), 0), cf(0)))),
    );
  } else {
    const zero = f64x2.splat(cf(0));
    pixel.push(
      local.set(G23, f64x2.loadF32x2(g(base), 8)),
      local.set(NZ01, f64x2.ne(g(G01), zero)), local.set(NZ23, f64x2.ne(g(G23), zero)),
    );
  }
  // Scatter: tap by tap (per channel the taps land in JS's order, which matters where clamped taps coincide).
  const term = (W: number, G: number, NZ: number) => (C === 3 ? f64x2.mul(g(W), g(G)) : v128.and(f64x2.mul(g(W), g(G)), g(NZ)));
  for (const [e, W] of [[t.e00, t.W00], [t.e01, t.W01], [t.e10, t.W10], [t.e11, t.W11]] as const) {
    pixel.push(
      local.set(addr, i32.add(g(P.gTex), g(e))),
      v128.store64_lane(g(addr), f32x4.demoteZero(f64x2.add(f64x2.loadF32x2(g(addr)), term(W, G01, NZ01))), 0),
      C === 3
        ? f32.store(g(addr), f32.demote(f64.add(f64.loadF32(g(addr), 8), f64.mul(lane(g(W), 0), lane(g(G23), 0)))), 8)
        : v128.store64_lane(g(addr), f32x4.demoteZero(f64x2.add(f64x2.loadF32x2(g(addr), 8), term(W, G23, NZ23))), 0, 8),
    );
  }
  if (wantUv) {
    const at = (e: number, off: number) => f64x2.loadF32x2(i32.add(g(P.tex), g(e)), off);
    pixel.push(
      local.set(OFX, f64x2.splat(g(t.ofx))), local.set(OFY, f64x2.splat(g(t.ofy))), local.set(FX, f64x2.splat(g(t.fx))), local.set(FY, f64x2.splat(g(t.fy))),
    );
    for (const [off, G, NZ, PX, PY] of [[0, G01, NZ01, PX01, PY01], [8, G23, NZ23, PX23, PY23]] as const) {
      // g·((1 − fy)(b − a) + fy(e − d)) and g·((1 − fx)(d − a) + fx(e − b)), two channels at once.
      const slope = (x: Code) => (C === 3 ? f64x2.mul(g(G), x) : v128.and(f64x2.mul(g(G), x), g(NZ)));
      pixel.push(
        local.set(A, at(t.e00, off)), local.set(B, at(t.e01, off)), local.set(D, at(t.e10, off)), local.set(E, at(t.e11, off)),
        local.set(PX, slope(f64x2.add(f64x2.mul(g(OFY), f64x2.sub(g(B), g(A))), f64x2.mul(g(FY), f64x2.sub(g(E), g(D)))))),
        local.set(PY, slope(f64x2.add(f64x2.mul(g(OFX), f64x2.sub(g(D), g(A))), f64x2.mul(g(FX), f64x2.sub(g(E), g(B)))))),
      );
    }
    // Summed over channels in order, from 0, as JS's gfx += … does.
    const sum = (V01: number, V23: number) => {
      let s = f64.add(f64.add(f64.add(cf(0), lane(g(V01), 0)), lane(g(V01), 1)), lane(g(V23), 0));
      if (C === 4) s = f64.add(s, lane(g(V23), 1));
      return s;
    };
    const uvAddr = i32.add(g(P.gUv), i32.shl(g(p), ci(3)));
    pixel.push(
      local.set(gfx, sum(PX01, PX23)), local.set(gfy, sum(PY01, PY23)),
      local.set(addr, uvAddr),
      f32.store(g(addr), f32.demote(f64.add(f64.loadF32(g(addr)), f64.mul(g(gfx), f64.convert_i32_s(g(P.tw)))))),
      f32.store(g(addr), f32.demote(f64.sub(f64.loadF32(g(addr), 4), f64.mul(g(gfy), f64.convert_i32_s(g(P.th))))), 4),
    );
  }
  return moduleBytes("backward", PARAMS, L.types, pixelLoop(p, pixel), true);
}

let calls = 0;
/** How many calls the kernel has run in this thread (tests check that it ran). */
export function wasmTextureCalls(): number {
  return calls;
}

/** sampleTextureBackward's loop in WebAssembly when it can (see the header); false = run JS. */
export function sampleTextureBackwardWasm(
  uv: Float32Array, mask: Int32Array | null, texture: Float32Array, texW: number, texH: number, C: number, gradOut: Float32Array,
  repeat: boolean, gTex: Float32Array, gUv: Float32Array | null, p0: number, p1: number,
): boolean {
  if (!wasmKernelsEnabled() || repeat || (C !== 3 && C !== 4) || p1 <= p0) return false;
  const where = arenaOffsets([uv, mask, texture, gradOut, gTex, gUv]);
  if (!where) return false;
  const hasMask = mask !== null, wantUv = gUv !== null;
  const fn = kernelOn(where.memory, `texbwd${C}${+hasMask}${+wantUv}`, "backward", () => textureBackwardBytes(C, hasMask, wantUv));
  if (!fn) return false;
  const [u, m, tex, grad, gt, gu] = where.offsets as number[];
  fn(p0, p1, m!, u!, tex!, texW, texH, grad!, gt!, gu!);
  calls++;
  return true;
}
