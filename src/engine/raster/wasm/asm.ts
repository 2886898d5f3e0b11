/**
 * A few WebAssembly opcodes as functions returning byte arrays, enough for the renderer's
 * kernels to be written as nested expressions (`f64.add(a, b)`) in TypeScript and generated
 * per configuration (branches resolved when the kernel is built, not per pixel). No
 * toolchain and no binary file to ship, as geometry/rank-wasm.ts does by hand. Numbers are
 * the final WebAssembly 2.0 (SIMD) encodings.
 */
export type Code = number[];

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
const cat = (...parts: Code[]): Code => parts.flat();
const op = (...bytes: number[]) => (...args: Code[]): Code => cat(...args, bytes);
const mem = (align: number, offset = 0): number[] => [align, ...uleb(offset)];
const simd = (n: number) => [0xfd, ...uleb(n)];

export const local = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number, v: Code): Code => cat(v, [0x21, ...uleb(i)]),
  tee: (i: number, v: Code): Code => cat(v, [0x22, ...uleb(i)]),
};

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(n | 0)],
  add: op(0x6a), sub: op(0x6b), mul: op(0x6c), shl: op(0x74), and: op(0x71), or: op(0x72),
  eqz: op(0x45), eq: op(0x46), ne: op(0x47), lt_s: op(0x48), lt_u: op(0x49), gt_s: op(0x4a), le_s: op(0x4c), ge_s: op(0x4e),
  load: (addr: Code, offset = 0): Code => cat(addr, [0x28], mem(2, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0x36], mem(2, offset)),
  store8: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0x3a], mem(0, offset)),
  trunc_sat_f64_s: op(0xfc, 0x02),
};

export const f32 = {
  load: (addr: Code, offset = 0): Code => cat(addr, [0x2a], mem(2, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0x38], mem(2, offset)),
  demote: op(0xb6),
  add: op(0x92),
  const0: (): Code => [0x43, 0, 0, 0, 0],
};

export const f64 = {
  const: (x: number): Code => { const b = new Uint8Array(new Float64Array([x]).buffer); return [0x44, ...b]; },
  add: op(0xa0), sub: op(0xa1), mul: op(0xa2), div: op(0xa3), sqrt: op(0x9f), floor: op(0x9c),
  gt: op(0x64), ne: op(0x62), eq: op(0x61), neg: op(0x9a), lt: op(0x63), le: op(0x65), ge: op(0x66), ceil: op(0x9b),
  promote: op(0xbb), convert_i32_s: op(0xb7),
  load: (addr: Code, offset = 0): Code => cat(addr, [0x2b], mem(3, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0x39], mem(3, offset)),
  /** f64 from a float32 in memory. */
  loadF32: (addr: Code, offset = 0): Code => cat(addr, [0x2a], mem(2, offset), [0xbb]),
};

export const v128 = {
  load: (addr: Code, offset = 0): Code => cat(addr, simd(0x00), mem(2, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, simd(0x0b), mem(2, offset)),
  zero: (): Code => [...simd(0x0c), ...new Array(16).fill(0)],
  /** Two float32 at addr (8 bytes, upper lanes zero). */
  load64_zero: (addr: Code, offset = 0): Code => cat(addr, simd(0x5d), mem(3, offset)),
  store64_lane: (addr: Code, v: Code, lane: number, offset = 0): Code => cat(addr, v, simd(0x5b), mem(3, offset), [lane]),
  store32_lane: (addr: Code, v: Code, lane: number, offset = 0): Code => cat(addr, v, simd(0x5a), mem(2, offset), [lane]),
  and: op(...simd(0x4e)),
};

export const f64x2 = {
  splat: op(...simd(0x14)),
  extract: (v: Code, lane: number): Code => cat(v, simd(0x21), [lane]),
  replace: (v: Code, lane: number, x: Code): Code => cat(v, x, simd(0x22), [lane]),
  add: op(...simd(0xf0)), sub: op(...simd(0xf1)), mul: op(...simd(0xf2)), div: op(...simd(0xf3)), neg: op(...simd(0xed)),
  /** (b.lane1, a.lane0) and (a.lane1, b.lane0): lanes picked from two vectors (i8x16.shuffle). */
  pick10: (a: Code, b: Code): Code => cat(a, b, simd(0x0d), [24, 25, 26, 27, 28, 29, 30, 31, 0, 1, 2, 3, 4, 5, 6, 7]),
  pick01: (a: Code, b: Code): Code => cat(a, b, simd(0x0d), [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
  /** All-ones lanes where a ≠ b (NaN ≠ 0 too). */
  ne: op(...simd(0x48)),
  /** float32 lanes 0, 1 → float64 lanes. */
  promoteLow: op(...simd(0x5f)),
  /** Two float32 in memory → f64x2. */
  loadF32x2: (addr: Code, offset = 0): Code => cat(v128.load64_zero(addr, offset), simd(0x5f)),
};

export const f32x4 = { demoteZero: op(...simd(0x5e)), add: op(...simd(0xe4)) };

export const select = (a: Code, b: Code, cond: Code): Code => cat(a, b, cond, [0x1b]);
export const drop = (v: Code): Code => cat(v, [0x1a]);

/** Control flow; blocks take no values. */
export const block = (...body: Code[]): Code => cat([0x02, 0x40], ...body, [0x0b]);
export const loop = (...body: Code[]): Code => cat([0x03, 0x40], ...body, [0x0b]);
export const ifThen = (cond: Code, ...body: Code[]): Code => cat(cond, [0x04, 0x40], ...body, [0x0b]);
export const ifElse = (cond: Code, then: Code[], otherwise: Code[]): Code => cat(cond, [0x04, 0x40], ...then, [0x05], ...otherwise, [0x0b]);
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => cat(cond, [0x0d, ...uleb(depth)]);

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * A module importing memory `env.mem` (shared, up to `maxPages`, when `shared`) and exporting
 * one function `name(params) → ()` whose extra locals are `locals` (types, one per local).
 */
export function moduleBytes(fn: string, params: number[], locals: number[], body: Code, shared: boolean, maxPages = 65536): Uint8Array<ArrayBuffer> {
  const groups: number[] = [];
  let n = 0, runs = 0;
  for (let i = 0; i < locals.length; i++) {
    n++;
    if (i === locals.length - 1 || locals[i + 1] !== locals[i]) { groups.push(...uleb(n), locals[i]!); n = 0; runs++; }
  }
  const code = [...uleb(runs), ...groups, ...body, 0x0b];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(maxPages)] : [0x00, ...uleb(1)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(2, [1, ...name("env"), ...name("mem"), 0x02, ...limits]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(fn), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}
