/**
 * What the SIMD kernels share: a local-variable allocator, the bilinear taps (texel offsets
 * and weights, in JS's float64 arithmetic: sampleTexture's conventions, clamped), the
 * module/instance caches (one compiled module per configuration, one instance per memory and
 * thread), and the switch that turns them off for A/B runs.
 */
import { F64, I32, V128, block, br, brIf, f32, f32x4, f64, f64x2, i32, local, loop, select, v128, type Code } from "./asm.js";

export class Locals {
  readonly types: number[] = [];
  constructor(private readonly params: number) {}
  next(t: number): number {
    this.types.push(t);
    return this.params + this.types.length - 1;
  }
}

export interface Taps {
  fx: number; fy: number; ofx: number; ofy: number;
  /** Byte offsets of the four texels from the texture's start. */
  e00: number; e01: number; e10: number; e11: number;
  /** The weights w00…w11, each splatted to both f64 lanes. */
  W00: number; W01: number; W10: number; W11: number;
}

export function tapLocals(L: Locals): Taps {
  return {
    fx: L.next(F64), fy: L.next(F64), ofx: L.next(F64), ofy: L.next(F64),
    e00: L.next(I32), e01: L.next(I32), e10: L.next(I32), e11: L.next(I32),
    W00: L.next(V128), W01: L.next(V128), W10: L.next(V128), W11: L.next(V128),
  };
}

/**
 * fxr = u·W − 0.5, fyr = (1 − v)·H − 0.5 → texel offsets (CC channels) and weights, as the JS
 * loops compute them. Clamping runs on i32 after a saturating truncation, which agrees with
 * JS's double clamps for every finite or infinite coordinate.
 */
export function tapsCode(L: Locals, t: Taps, u: number, v: number, W: number, H: number, CC: number): Code {
  const g = local.get, ci = i32.const, cf = f64.const;
  const flx = L.next(F64), fly = L.next(F64), x0 = L.next(I32), x1 = L.next(I32), y0 = L.next(I32), y1 = L.next(I32);
  const clamp = (x: Code, size: number): Code => {
    const k = L.next(I32);
    return [...local.set(k, x), ...select(ci(0), select(i32.sub(g(size), ci(1)), g(k), i32.ge_s(g(k), g(size))), i32.lt_s(g(k), ci(0)))];
  };
  // JS's `(index) | 0` maps a NaN coordinate (either one) to texel 0; trunc_sat alone would not.
  const nan = L.next(I32);
  const off = (y: number, x: number) => select(ci(0), i32.mul(i32.add(i32.mul(g(y), g(W)), g(x)), ci(CC * 4)), g(nan));
  return [
    ...local.set(t.fx, f64.sub(f64.mul(g(u), f64.convert_i32_s(g(W))), cf(0.5))),
    ...local.set(t.fy, f64.sub(f64.mul(f64.sub(cf(1), g(v)), f64.convert_i32_s(g(H))), cf(0.5))),
    ...local.set(nan, i32.or(f64.ne(g(t.fx), g(t.fx)), f64.ne(g(t.fy), g(t.fy)))),
    ...local.set(flx, f64.floor(g(t.fx))), ...local.set(fly, f64.floor(g(t.fy))),
    ...local.set(t.fx, f64.sub(g(t.fx), g(flx))), ...local.set(t.fy, f64.sub(g(t.fy), g(fly))),
    ...local.set(x0, clamp(i32.trunc_sat_f64_s(g(flx)), W)),
    ...local.set(x1, clamp(i32.trunc_sat_f64_s(f64.add(g(flx), cf(1))), W)),
    ...local.set(y0, clamp(i32.trunc_sat_f64_s(g(fly)), H)),
    ...local.set(y1, clamp(i32.trunc_sat_f64_s(f64.add(g(fly), cf(1))), H)),
    ...local.set(t.e00, off(y0, x0)), ...local.set(t.e01, off(y0, x1)), ...local.set(t.e10, off(y1, x0)), ...local.set(t.e11, off(y1, x1)),
    ...local.set(t.ofx, f64.sub(cf(1), g(t.fx))), ...local.set(t.ofy, f64.sub(cf(1), g(t.fy))),
    ...local.set(t.W00, f64x2.splat(f64.mul(g(t.ofx), g(t.ofy)))),
    ...local.set(t.W01, f64x2.splat(f64.mul(g(t.fx), g(t.ofy)))),
    ...local.set(t.W10, f64x2.splat(f64.mul(g(t.ofx), g(t.fy)))),
    ...local.set(t.W11, f64x2.splat(f64.mul(g(t.fx), g(t.fy)))),
  ];
}

/**
 * for (p = p0; p < p1; p++) { pixel } with p0, p1 the function's first two parameters; inside
 * `pixel`, `br 0` (at its top level) skips to the next pixel.
 */
export function pixelLoop(p: number, pixel: Code[]): Code {
  const g = local.get;
  return [
    ...local.set(p, g(0)),
    ...block(loop(
      brIf(1, i32.ge_s(g(p), g(1))),
      block(...pixel),
      local.set(p, i32.add(g(p), i32.const(1))),
      br(0),
    )),
  ];
}

/** Math.fround of an f64 (scalar) or of both f64x2 lanes. */
export const fround = (x: Code): Code => f64.promote(f32.demote(x));
export const froundV = (x: Code): Code => f64x2.promoteLow(f32x4.demoteZero(x));
/** Stores two f64 lanes (or one f64) as float32. */
export const store2 = (addr: Code, x: Code, offset = 0): Code => v128.store64_lane(addr, f32x4.demoteZero(x), 0, offset);
export const store1 = (addr: Code, x: Code, offset = 0): Code => f32.store(addr, f32.demote(x), offset);

/** ((w00·a + w01·b) + w10·d) + w11·e for the two channels at byte `off` of each texel. */
export function bilerp(t: Taps, texBase: number, off: number): Code {
  const g = local.get;
  const at = (e: number) => f64x2.loadF32x2(i32.add(g(texBase), g(e)), off);
  return f64x2.add(f64x2.add(f64x2.add(f64x2.mul(g(t.W00), at(t.e00)), f64x2.mul(g(t.W01), at(t.e01))), f64x2.mul(g(t.W10), at(t.e10))), f64x2.mul(g(t.W11), at(t.e11)));
}

/** A pixel's triangle: byte offsets of its vertices in [S*3] arrays, barycentrics (b0 = 1 − b1 − b2) scalar and splatted. */
export interface Corner { j0: number; j1: number; j2: number; b0: number; b1: number; b2: number; B0: number; B1: number; B2: number }

export function cornerLocals(L: Locals): Corner {
  return { j0: L.next(I32), j1: L.next(I32), j2: L.next(I32), b0: L.next(F64), b1: L.next(F64), b2: L.next(F64), B0: L.next(V128), B1: L.next(V128), B2: L.next(V128) };
}

/** (b0·a[j0] + b1·a[j1]) + b2·a[j2] of a per-vertex vec3 attribute: the xy lanes. */
export function interpXy(c: Corner, attr: number): Code {
  const g = local.get, at = (j: number) => f64x2.loadF32x2(i32.add(g(attr), g(j)));
  return f64x2.add(f64x2.add(f64x2.mul(g(c.B0), at(c.j0)), f64x2.mul(g(c.B1), at(c.j1))), f64x2.mul(g(c.B2), at(c.j2)));
}
/** The same for z. */
export function interpZ(c: Corner, attr: number): Code {
  const g = local.get, at = (j: number) => f64.loadF32(i32.add(g(attr), g(j)), 8);
  return f64.add(f64.add(f64.mul(g(c.b0), at(c.j0)), f64.mul(g(c.b1), at(c.j1))), f64.mul(g(c.b2), at(c.j2)));
}

/** Math.sqrt(x² + y² + z²) || 1 of a vector held as (xy lanes, z). */
export function normLen(L: Locals, xy: number, z: number): Code {
  const g = local.get, lane = f64x2.extract;
  const l = f64.sqrt(f64.add(f64.add(f64.mul(lane(g(xy), 0), lane(g(xy), 0)), f64.mul(lane(g(xy), 1), lane(g(xy), 1))), f64.mul(g(z), g(z))));
  const t = L.next(F64);
  return [...local.set(t, l), ...select(g(t), f64.const(1), f64.gt(g(t), f64.const(0)))]; // `|| 1`: 0 and NaN → 1
}

type Fn = (...args: number[]) => void;
const modules = new Map<string, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, Fn>>();

/** The exported function `name` of the module `build()` for `key`, instantiated on `memory`; null when it does not validate. */
export function kernelOn(memory: WebAssembly.Memory, key: string, name: string, build: () => Uint8Array<ArrayBuffer>): Fn | null {
  let perMemory = instances.get(memory);
  const hit = perMemory?.get(key);
  if (hit) return hit;
  let mod = modules.get(key);
  if (mod === undefined) {
    const bytes = build();
    mod = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    modules.set(key, mod);
  }
  if (!mod) return null;
  const fn = new WebAssembly.Instance(mod, { env: { mem: memory } }).exports[name] as Fn;
  if (!perMemory) instances.set(memory, (perMemory = new Map()));
  perMemory.set(key, fn);
  return fn;
}

let enabled = true;
/** Turns the SIMD kernels off (false) or on again (true): for A/B benchmarks and tests. */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}
export function wasmKernelsEnabled(): boolean {
  return enabled;
}
