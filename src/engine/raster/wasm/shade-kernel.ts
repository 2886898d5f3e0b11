/**
 * The shading adjoint (shade.ts shadeBackward without specular, and shadeBackwardAlbedo) as a
 * WebAssembly SIMD kernel, C = 3 or 4: dL/dalbedo = dL/dout · s two channels per f64x2
 * instruction, and dL/dn = (dL/dout · albedo) · intensity · light where the light falls. Float64
 * math in the JS loops' order and float32 rounding at their points, so the bytes equal theirs;
 * the band's clears (the JS fills) happen in the same pass. Declines (the caller runs JS) for
 * specular, other channel counts, SIMD-less runtimes and arrays outside a WasmArena.
 */
import type { DirectionalLight } from "../types.js";
import { F64, I32, V128, br, f32x4, f64, f64x2, i32, ifElse, ifThen, local, moduleBytes, select, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, pixelLoop, store1, store2, wasmKernelsEnabled } from "./kernel.js";

const P = { p0: 0, p1: 1, mask: 2, normals: 3, albedo: 4, grad: 5, gA: 6, gN: 7, lx: 8, ly: 9, lz: 10, amb: 11, inten: 12 } as const;
const PARAMS = [...new Array(8).fill(I32), ...new Array(5).fill(F64)];

/** `withNormals`: shadeBackward (dL/dalbedo and dL/dn); else shadeBackwardAlbedo. */
export function shadeBackwardBytes(C: 3 | 4, withNormals: boolean): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const, lane = f64x2.extract, splat = f64x2.splat;
  const p = L.next(I32), base = L.next(I32), nb = L.next(I32), N = L.next(V128), nz = L.next(F64), ndl = L.next(F64), s = L.next(F64), gS = L.next(F64);
  const G01 = L.next(V128), G23 = L.next(V128), A01 = L.next(V128), A23 = L.next(V128), PR01 = L.next(V128), PR23 = L.next(V128), ZERO = L.next(V128);
  const chan = (arr: number) => i32.add(g(arr), g(base));
  const storeC = (arr: number, xy: Code, zw: Code): Code[] => [store2(chan(arr), xy), C === 3 ? store1(chan(arr), lane(zw, 0), 8) : store2(chan(arr), zw, 8)];
  const zeroN = [store2(g(nb), g(ZERO)), store1(g(nb), cf(0), 8)];
  const pixel: Code[] = [
    local.set(base, i32.mul(g(p), ci(C * 4))),
    local.set(nb, i32.add(g(P.gN), i32.mul(g(p), ci(12)))),
    ifThen(i32.eqz(i32.load(i32.add(g(P.mask), i32.shl(g(p), ci(2))))), ...storeC(P.gA, g(ZERO), g(ZERO)), ...(withNormals ? zeroN : []), br(1)),
    local.set(N, f64x2.loadF32x2(i32.add(g(P.normals), i32.mul(g(p), ci(12))))),
    local.set(nz, f64.loadF32(i32.add(g(P.normals), i32.mul(g(p), ci(12))), 8)),
    local.set(ndl, f64.add(f64.add(f64.mul(lane(g(N), 0), g(P.lx)), f64.mul(lane(g(N), 1), g(P.ly))), f64.mul(g(nz), g(P.lz)))),
    local.set(s, f64.add(g(P.amb), select(f64.mul(g(P.inten), g(ndl)), cf(0), f64.gt(g(ndl), cf(0))))),
    local.set(G01, f64x2.loadF32x2(chan(P.grad))),
    local.set(G23, C === 3 ? splat(f64.loadF32(chan(P.grad), 8)) : f64x2.loadF32x2(chan(P.grad), 8)),
    ...storeC(P.gA, f64x2.mul(g(G01), splat(g(s))), f64x2.mul(g(G23), splat(g(s)))),
  ];
  if (withNormals) {
    pixel.push(
      local.set(A01, f64x2.loadF32x2(chan(P.albedo))),
      local.set(A23, C === 3 ? splat(f64.loadF32(chan(P.albedo), 8)) : f64x2.loadF32x2(chan(P.albedo), 8)),
      local.set(PR01, f64x2.mul(g(G01), g(A01))), local.set(PR23, f64x2.mul(g(G23), g(A23))),
      // C = 3: g0·a0 + g1·a1 + g2·a2; C = 4: from 0, as JS's loop sums.
      local.set(gS, C === 3
        ? f64.add(f64.add(lane(g(PR01), 0), lane(g(PR01), 1)), lane(g(PR23), 0))
        : f64.add(f64.add(f64.add(f64.add(cf(0), lane(g(PR01), 0)), lane(g(PR01), 1)), lane(g(PR23), 0)), lane(g(PR23), 1))),
      ifElse(f64.gt(g(ndl), cf(0)), [
        local.set(gS, f64.mul(g(gS), g(P.inten))),
        store2(g(nb), f64x2.mul(splat(g(gS)), f64x2.replace(splat(g(P.lx)), 1, g(P.ly)))),
        store1(g(nb), f64.mul(g(gS), g(P.lz)), 8),
      ], zeroN),
    );
  }
  const body: Code = [...local.set(ZERO, f32x4.demoteZero(splat(cf(0)))), ...pixelLoop(p, pixel)];
  return moduleBytes("shade", PARAMS, L.types, body, true);
}

let calls = 0;
/** How many calls the kernel has run in this thread (tests check that it ran). */
export function wasmShadeCalls(): number {
  return calls;
}

/**
 * shadeBackward (gN given) or shadeBackwardAlbedo (gN null) over pixels p0…p1 in WebAssembly
 * when it can (see the header); false = the caller runs JS.
 */
export function shadeBackwardWasm(
  albedo: Float32Array | null, C: number, normals: Float32Array, mask: Int32Array, light: DirectionalLight, specular: boolean,
  gradOut: Float32Array, p0: number, p1: number, gA: Float32Array, gN: Float32Array | null,
): boolean {
  if (!wasmKernelsEnabled() || specular || (C !== 3 && C !== 4) || p1 <= p0) return false;
  const withNormals = gN !== null;
  const where = arenaOffsets([mask, normals, withNormals ? albedo : null, gradOut, gA, gN]);
  if (!where) return false;
  const fn = kernelOn(where.memory, `shade${C}${+withNormals}`, "shade", () => shadeBackwardBytes(C, withNormals));
  if (!fn) return false;
  const [m, n, a, g, ga, gn] = where.offsets as number[];
  const [lx, ly, lz] = light.direction;
  fn(p0, p1, m!, n!, a!, g!, ga!, gn!, lx, ly, lz, light.ambient, light.intensity);
  calls++;
  return true;
}
