/**
 * The fused forward pixel loop (fused.ts `pixels`) as a WebAssembly SIMD kernel, generated
 * per configuration (channels, texture or constant albedo, lit, normal map on the texture's
 * texel grid or its own, keeping the normal frame) and cached. It mirrors the JS loop's
 * arithmetic exactly: float64 math in the same order, float32 rounding at the same points
 * (f64x2 lanes carry two channels or x, y of a vector), so its bytes equal the JS path's and
 * a frame does not depend on which path ran. SIMD pays here by doing two channels per
 * instruction and by skipping JS's bounds checks.
 *
 * It also does what the JS path does with fills before its loop, in the same pass: clearing
 * the band's reused outputs and writing the background.
 *
 * Declines (the caller runs the JS loop) for: specular (needs Math.pow), "repeat" wrapping,
 * channel counts other than 3 and 4, SIMD-less runtimes, or any array outside an arena.
 */
import { FRAME } from "../normalChain.js";
import { arenaOffsets } from "./arena.js";
import { F64, I32, V128, br, f32, f32x4, f64, f64x2, i32, ifThen, local, moduleBytes, select, v128, type Code } from "./asm.js";
import { Locals, bilerp, cornerLocals, fround, froundV, interpXy, interpZ, kernelOn, normLen, pixelLoop, store1, store2, tapLocals, tapsCode, wasmKernelsEnabled } from "./kernel.js";

export { setWasmKernels } from "./kernel.js";

export interface FusedConfig {
  C: 3 | 4;
  hasUv: boolean;
  hasTex: boolean;
  lit: boolean;
  nm: boolean;
  shared: boolean;
  keep: boolean;
  /** The background is an image `[N*C]` (else C constants). */
  bgImage: boolean;
}

// Parameters (byte addresses are i32; light and albedo constants f64).
const P = {
  p0: 0, p1: 1, ids: 2, bary: 3, tris: 4, uv: 5, uvImg: 6, tex: 7, tw: 8, th: 9, albedoImg: 10, vn: 11, normals: 12,
  vt: 13, vb: 14, nmd: 15, nw: 16, nh: 17, image: 18, mask: 19, frame: 20, bgImg: 21, a0: 22, a1: 23, a2: 24, a3: 25,
  lx: 26, ly: 27, lz: 28, amb: 29, inten: 30, bg0: 31, bg1: 32, bg2: 33, bg3: 34,
} as const;
const PARAMS = [...new Array(22).fill(I32), ...new Array(13).fill(F64)];

/** The kernel's bytes for one configuration (also the SIMD feature probe). */
export function fusedKernelBytes(cfg: FusedConfig): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const next = (t: number) => L.next(t);
  const g = local.get;
  const ci = i32.const, cf = f64.const;
  const { C, hasUv, hasTex, lit, nm, shared, keep, bgImage } = cfg;

  const p = next(I32), id = next(I32), t3 = next(I32);
  const base = next(I32); // byte offset of the pixel in [N*C] arrays
  const u = next(F64), v = next(F64);
  const cr = cornerLocals(L);
  const { j0, j1, j2, b0, b1, b2, B0, B1, B2 } = cr;
  // Bilinear taps (shared by texture and normal map when on the same grid).
  const tp = tapLocals(L);
  const taps = (W: number, H: number, CC: number): Code => tapsCode(L, tp, u, v, W, H, CC);
  const A01 = next(V128), A23 = next(V128); // albedo (float32-rounded, as f64 lanes)
  const Sxy = next(V128), sz = next(F64); // normal-map sample
  const Gxy = next(V128), gz = next(F64), gl = next(F64);
  const Txy = next(V128), tz = next(F64), Bxy = next(V128), bz = next(F64);
  const Nxy = next(V128), nz = next(F64), ml = next(F64), nx = next(F64), ny = next(F64), s = next(F64);
  const ACON01 = next(V128), ACON23 = next(V128), BG01 = next(V128), BG23 = next(V128), ZERO = next(V128);

  const lane = f64x2.extract;
  const bilerpT = (texBase: number, off: number) => bilerp(tp, texBase, off);
  const pxAddr = (arr: number, shift: number) => i32.add(g(arr), i32.shl(g(p), ci(shift)));
  const frameAddr = i32.add(g(P.frame), i32.mul(g(p), ci(FRAME * 4)));
  const chanAddr = (arr: number) => i32.add(g(arr), g(base));

  // A background pixel: the clears and background the JS path does with fills before its loop.
  const copyBg = (off: number): Code => v128.store64_lane(chanAddr(P.image), v128.load64_zero(chanAddr(P.bgImg), off), 0, off);
  const background: Code[] = [
    i32.store8(i32.add(g(P.mask), g(p)), ci(0)),
    store2(chanAddr(P.albedoImg), g(ZERO)), C === 3 ? f32.store(chanAddr(P.albedoImg), f32.const0(), 8) : store2(chanAddr(P.albedoImg), g(ZERO), 8),
    ...(hasUv ? [store2(pxAddr(P.uvImg, 3), g(ZERO))] : []),
    ...(lit ? [store2(i32.add(g(P.normals), i32.mul(g(p), ci(12))), g(ZERO)), f32.store(i32.add(g(P.normals), i32.mul(g(p), ci(12))), f32.const0(), 8)] : []),
    ...(bgImage
      ? [copyBg(0), C === 3 ? f32.store(chanAddr(P.image), f32.load(chanAddr(P.bgImg), 8), 8) : copyBg(8)]
      : [v128.store64_lane(chanAddr(P.image), g(BG01), 0), C === 3 ? v128.store32_lane(chanAddr(P.image), g(BG23), 0, 8) : v128.store64_lane(chanAddr(P.image), g(BG23), 0, 8)]),
  ];
  const pixel: Code[] = [
    local.set(id, i32.load(pxAddr(P.ids, 2))),
    local.set(base, i32.mul(g(p), ci(C * 4))),
    ifThen(i32.eqz(g(id)), ...background, br(1)),
    i32.store8(i32.add(g(P.mask), g(p)), ci(1)),
    local.set(t3, i32.add(g(P.tris), i32.mul(i32.sub(g(id), ci(1)), ci(12)))),
    local.set(b1, f64.loadF32(pxAddr(P.bary, 3))),
    local.set(b2, f64.loadF32(pxAddr(P.bary, 3), 4)),
    local.set(b0, f64.sub(f64.sub(cf(1), g(b1)), g(b2))),
    local.set(B0, f64x2.splat(g(b0))), local.set(B1, f64x2.splat(g(b1))), local.set(B2, f64x2.splat(g(b2))),
  ];
  const vtx = (k: number, scale: number) => i32.mul(i32.load(g(t3), 4 * k), ci(scale));
  if (hasUv) {
    const UV = next(V128);
    pixel.push(
      local.set(j0, vtx(0, 8)), local.set(j1, vtx(1, 8)), local.set(j2, vtx(2, 8)),
      local.set(UV, f32x4.demoteZero(interpXy(cr, P.uv))),
      v128.store64_lane(pxAddr(P.uvImg, 3), g(UV), 0),
      local.set(UV, f64x2.promoteLow(g(UV))),
      local.set(u, lane(g(UV), 0)), local.set(v, lane(g(UV), 1)),
    );
  }
  if (hasTex) {
    pixel.push(taps(P.tw, P.th, C), local.set(A01, froundV(bilerpT(P.tex, 0))), local.set(A23, froundV(bilerpT(P.tex, 8))));
    if (shared) pixel.push(local.set(Sxy, froundV(bilerpT(P.nmd, 0))), local.set(sz, lane(froundV(bilerpT(P.nmd, 8)), 0)));
  } else pixel.push(local.set(A01, g(ACON01)), local.set(A23, g(ACON23)));
  pixel.push(store2(chanAddr(P.albedoImg), g(A01)), C === 3 ? store1(chanAddr(P.albedoImg), lane(g(A23), 0), 8) : store2(chanAddr(P.albedoImg), g(A23), 8));
  if (!lit) {
    pixel.push(store2(chanAddr(P.image), g(A01)), C === 3 ? store1(chanAddr(P.image), lane(g(A23), 0), 8) : store2(chanAddr(P.image), g(A23), 8));
  } else {
    pixel.push(
      local.set(j0, vtx(0, 12)), local.set(j1, vtx(1, 12)), local.set(j2, vtx(2, 12)),
      local.set(Gxy, froundV(interpXy(cr, P.vn))), local.set(gz, fround(interpZ(cr, P.vn))),
      local.set(gl, normLen(L, Gxy, gz)),
      local.set(Gxy, f64x2.div(g(Gxy), f64x2.splat(g(gl)))), local.set(gz, f64.div(g(gz), g(gl))),
    );
    if (keep) pixel.push(store2(frameAddr, g(Gxy)), store1(frameAddr, g(gz), 8), store1(frameAddr, f64.div(cf(1), g(gl)), 12));
    if (nm) {
      pixel.push(
        local.set(Txy, froundV(interpXy(cr, P.vt))), local.set(tz, fround(interpZ(cr, P.vt))),
        local.set(Bxy, froundV(interpXy(cr, P.vb))), local.set(bz, fround(interpZ(cr, P.vb))),
      );
      if (!shared) pixel.push(taps(P.nw, P.nh, 3), local.set(Sxy, froundV(bilerpT(P.nmd, 0))), local.set(sz, lane(froundV(bilerpT(P.nmd, 8)), 0)));
      if (keep) {
        pixel.push(
          store2(frameAddr, g(Txy), 16), store1(frameAddr, g(tz), 24), store2(frameAddr, g(Bxy), 28), store1(frameAddr, g(bz), 36),
          store2(frameAddr, g(Sxy), 40), store1(frameAddr, g(sz), 48),
        );
      }
      // m = tx·T + ty·B + tz·g, per component in JS's order.
      const sx = lane(g(Sxy), 0), sy = lane(g(Sxy), 1);
      pixel.push(
        local.set(Nxy, f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(sx), g(Txy)), f64x2.mul(f64x2.splat(sy), g(Bxy))), f64x2.mul(f64x2.splat(g(sz)), g(Gxy)))),
        local.set(nz, f64.add(f64.add(f64.mul(sx, g(tz)), f64.mul(sy, g(bz))), f64.mul(g(sz), g(gz)))),
        local.set(ml, normLen(L, Nxy, nz)),
        local.set(Nxy, f64x2.div(g(Nxy), f64x2.splat(g(ml)))), local.set(nz, f64.div(g(nz), g(ml))),
      );
    } else pixel.push(local.set(Nxy, g(Gxy)), local.set(nz, g(gz)));
    // normals are stored as float32 and read back (fn* in JS).
    pixel.push(
      local.set(Nxy, froundV(g(Nxy))), local.set(nz, fround(g(nz))),
      store2(i32.add(g(P.normals), i32.mul(g(p), ci(12))), g(Nxy)), store1(i32.add(g(P.normals), i32.mul(g(p), ci(12))), g(nz), 8),
      local.set(nx, lane(g(Nxy), 0)), local.set(ny, lane(g(Nxy), 1)),
      // ndl = fnx·lx + fny·ly + fnz·lz; s = amb + (ndl > 0 ? inten·ndl : 0)
      local.set(ml, f64.add(f64.add(f64.mul(g(nx), g(P.lx)), f64.mul(g(ny), g(P.ly))), f64.mul(g(nz), g(P.lz)))),
      local.set(s, f64.add(g(P.amb), select(f64.mul(g(P.inten), g(ml)), cf(0), f64.gt(g(ml), cf(0))))),
      // image = albedo·s + h (h = 0 without specular; + 0 kept: it turns −0 into +0 as in JS).
      store2(chanAddr(P.image), f64x2.add(f64x2.mul(g(A01), f64x2.splat(g(s))), f64x2.splat(cf(0)))),
      C === 3
        ? store1(chanAddr(P.image), f64.add(f64.mul(lane(g(A23), 0), g(s)), cf(0)), 8)
        : store2(chanAddr(P.image), f64x2.add(f64x2.mul(g(A23), f64x2.splat(g(s))), f64x2.splat(cf(0))), 8),
    );
  }
  const body: Code = [
    ...local.set(ACON01, f64x2.replace(f64x2.splat(g(P.a0)), 1, g(P.a1))),
    ...local.set(ACON23, f64x2.replace(f64x2.splat(g(P.a2)), 1, g(P.a3))),
    // Background constants rounded to float32 once, as the JS fill stores them.
    ...local.set(BG01, f32x4.demoteZero(f64x2.replace(f64x2.splat(g(P.bg0)), 1, g(P.bg1)))),
    ...local.set(BG23, f32x4.demoteZero(f64x2.replace(f64x2.splat(g(P.bg2)), 1, g(P.bg3)))),
    ...local.set(ZERO, f32x4.demoteZero(f64x2.splat(cf(0)))),
    ...pixelLoop(p, pixel),
  ];
  return moduleBytes("pixels", PARAMS, L.types, body, true);
}

let supported: boolean | undefined;
/** Whether this runtime validates the kernels (WebAssembly SIMD and shared memory). */
export function wasmSimdSupported(): boolean {
  supported ??= typeof WebAssembly === "object" && WebAssembly.validate(fusedKernelBytes({ C: 3, hasUv: true, hasTex: true, lit: true, nm: true, shared: true, keep: true, bgImage: false }));
  return supported;
}

let calls = 0;
/** How many band calls the kernel has run in this thread (tests check that it ran). */
export function wasmPixelCalls(): number {
  return calls;
}

/** The arrays and numbers `pixels` reads (fused.ts), absent ones null. */
export interface PixelArgs {
  p0: number; p1: number; C: number;
  ids: Int32Array; bary: Float32Array; tris: Uint32Array; uv: Float32Array | null; uvImg: Float32Array | null;
  tex: Float32Array | null; tw: number; th: number; texRepeat: boolean; alb: Float32Array; albedoImg: Float32Array;
  lit: boolean; lx: number; ly: number; lz: number; amb: number; inten: number; vn: Float32Array | null; normals: Float32Array | null;
  nm: boolean; vt: Float32Array | null; vb: Float32Array | null; nmd: Float32Array | null; nw: number; nh: number; nmRepeat: boolean; shared: boolean;
  spec: boolean; image: Float32Array; mask: Uint8Array; frame: Float32Array | null;
  /** A background image `[N*C]`, else `bg` holds C values. */
  bgImage: Float32Array | null; bg: readonly number[] | Float32Array;
}

/** Runs the pixel loop in WebAssembly when it can (see the header); false = the caller runs JS. */
export function pixelsWasm(a: PixelArgs): boolean {
  if (!wasmKernelsEnabled() || a.spec || (a.C !== 3 && a.C !== 4) || a.p1 <= a.p0) return false;
  const hasTex = a.tex !== null, nm = a.lit && a.nm;
  if ((hasTex && a.texRepeat) || (nm && !a.shared && a.nmRepeat)) return false;
  const hasUv = a.uvImg !== null;
  if ((hasTex || nm) && !hasUv) return false;
  const where = arenaOffsets([a.ids, a.bary, a.tris, hasUv ? a.uv : null, a.uvImg, a.tex, a.albedoImg, a.lit ? a.vn : null, a.lit ? a.normals : null, nm ? a.vt : null, nm ? a.vb : null, nm || (hasTex && a.shared) ? a.nmd : null, a.image, a.mask, a.frame, a.bgImage]);
  if (!where) return false;
  const cfg: FusedConfig = { C: a.C, hasUv, hasTex, lit: a.lit, nm, shared: nm && a.shared, keep: a.lit && a.frame !== null, bgImage: a.bgImage !== null };
  const key = `fused${cfg.C}${+cfg.hasUv}${+cfg.hasTex}${+cfg.lit}${+cfg.nm}${+cfg.shared}${+cfg.keep}${+cfg.bgImage}`;
  const fn = kernelOn(where.memory, key, "pixels", () => fusedKernelBytes(cfg));
  if (!fn) return false;
  const [ids, bary, tris, uv, uvImg, tex, albedoImg, vn, normals, vt, vb, nmd, image, mask, frame, bgImg] = where.offsets as number[];
  const alb = a.alb, bg = a.bg;
  fn(a.p0, a.p1, ids!, bary!, tris!, uv!, uvImg!, tex!, a.tw, a.th, albedoImg!, vn!, normals!, vt!, vb!, nmd!, a.nw, a.nh, image!, mask!, frame!, bgImg!,
    alb[0] ?? 0, alb[1] ?? 0, alb[2] ?? 0, alb[3] ?? 0, a.lx, a.ly, a.lz, a.amb, a.inten, bg[0] ?? 0, bg[1] ?? 0, bg[2] ?? 0, bg[3] ?? 0);
  calls++;
  return true;
}
