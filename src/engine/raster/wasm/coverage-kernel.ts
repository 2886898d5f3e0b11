/**
 * rasterize.ts's coverage pass (pass 1) as a WebAssembly kernel: per triangle the same set-up
 * (NaN and far-plane rejection, bounding box, edge functions λk = ak·px + bk·py + ck and z in
 * float64, in JS's order), per pixel the inside test, the depth test of the float64 z against
 * the stored float32 depth, the float32 depth and id stores, and the early break once a row's
 * span has ended. Scalar code (the set-up dominates: most triangles cover a few pixels at
 * 512²); what it saves over JS is bounds checks and boxed numbers. Same bytes as JS.
 *
 * Declines (the caller runs JS) for arrays outside a WasmArena.
 */
import { F64, I32, block, br, brIf, f32, f64, i32, ifElse, ifThen, local, loop, moduleBytes, select, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, kernelOn, wasmKernelsEnabled } from "./kernel.js";

/** Parameters: rows yLo, yHi; W; triangle count T; byte addresses of scr [V*3] f64, triangles, ids, depth, triRows [T*2]. */
const P = { yLo: 0, yHi: 1, W: 2, T: 3, scr: 4, tris: 5, ids: 6, depth: 7, triRows: 8 } as const;
const PARAMS = new Array(9).fill(I32);

export function coverageBytes(binned: boolean): Uint8Array<ArrayBuffer> {
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const;
  const t = L.next(I32), i0 = L.next(I32), i1 = L.next(I32), i2 = L.next(I32);
  const y = L.next(I32), x = L.next(I32), ix0 = L.next(I32), ix1 = L.next(I32), iy1 = L.next(I32), idx = L.next(I32), entered = L.next(I32), id = L.next(I32), da = L.next(I32);
  const [x0, x1, x2, y0, y1, y2, z0, z1, z2] = Array.from({ length: 9 }, () => L.next(F64));
  const [lox, hix, loy, hiy, xmin, xmax, ymin, ymax, area, inv] = Array.from({ length: 10 }, () => L.next(F64));
  const [a0, b0, c0, a1, b1, c1, a2, b2, c2, za, zb, zc] = Array.from({ length: 12 }, () => L.next(F64));
  const [px0, py, l0, l1, l2, z] = Array.from({ length: 6 }, () => L.next(F64));

  // JS's ternaries: a < b ? (a < c ? a : c) : b < c ? b : c, and the same with >.
  const min3 = (a: number, b: number, c: number) => select(select(g(a), g(c), f64.lt(g(a), g(c))), select(g(b), g(c), f64.lt(g(b), g(c))), f64.lt(g(a), g(b)));
  const max3 = (a: number, b: number, c: number) => select(select(g(a), g(c), f64.gt(g(a), g(c))), select(g(b), g(c), f64.gt(g(b), g(c))), f64.gt(g(a), g(b)));
  const vtx = (k: number) => i32.add(g(P.scr), i32.mul(i32.load(i32.add(g(P.tris), i32.mul(g(t), ci(12))), 4 * k), ci(24)));
  const lin = (a: number, b: number, c: number, px: Code, pyv: Code) => f64.add(f64.add(f64.mul(g(a), px), f64.mul(g(b), pyv)), g(c));
  const sub = (a: number, b: number) => f64.sub(g(a), g(b));
  const mul = (a: Code, b: Code) => f64.mul(a, b);
  const triangle: Code[] = [];
  if (binned) {
    const rows = i32.add(g(P.triRows), i32.shl(g(t), ci(3)));
    triangle.push(brIf(0, i32.or(i32.lt_s(i32.load(rows, 4), g(P.yLo)), i32.ge_s(i32.load(rows), g(P.yHi)))));
  }
  triangle.push(
    local.set(i0, vtx(0)), local.set(i1, vtx(1)), local.set(i2, vtx(2)),
    local.set(x0, f64.load(g(i0))), local.set(x1, f64.load(g(i1))), local.set(x2, f64.load(g(i2))),
    // A vertex behind the camera plane (NaN x) drops the triangle.
    brIf(0, i32.or(i32.or(f64.ne(g(x0), g(x0)), f64.ne(g(x1), g(x1))), f64.ne(g(x2), g(x2)))),
    local.set(y0, f64.load(g(i0), 8)), local.set(z0, f64.load(g(i0), 16)),
    local.set(y1, f64.load(g(i1), 8)), local.set(z1, f64.load(g(i1), 16)),
    local.set(y2, f64.load(g(i2), 8)), local.set(z2, f64.load(g(i2), 16)),
    brIf(0, i32.and(i32.and(f64.gt(g(z0), cf(1)), f64.gt(g(z1), cf(1))), f64.gt(g(z2), cf(1)))),
    local.set(lox, min3(x0, x1, x2)), local.set(hix, max3(x0, x1, x2)),
    local.set(loy, min3(y0, y1, y2)), local.set(hiy, max3(y0, y1, y2)),
    brIf(0, i32.eqz(i32.and(f64.lt(sub(hix, lox), cf(1e9)), f64.lt(sub(hiy, loy), cf(1e9))))),
    local.set(xmin, f64.ceil(f64.sub(g(lox), cf(0.5)))), local.set(xmax, f64.floor(f64.sub(g(hix), cf(0.5)))),
    local.set(ymin, f64.ceil(f64.sub(g(loy), cf(0.5)))), local.set(ymax, f64.floor(f64.sub(g(hiy), cf(0.5)))),
    local.set(xmin, select(cf(0), g(xmin), f64.lt(g(xmin), cf(0)))),
    local.set(ymin, select(f64.convert_i32_s(g(P.yLo)), g(ymin), f64.lt(g(ymin), f64.convert_i32_s(g(P.yLo))))),
    local.set(xmax, select(f64.convert_i32_s(i32.sub(g(P.W), ci(1))), g(xmax), f64.gt(g(xmax), f64.convert_i32_s(i32.sub(g(P.W), ci(1)))))),
    local.set(ymax, select(f64.convert_i32_s(i32.sub(g(P.yHi), ci(1))), g(ymax), f64.gt(g(ymax), f64.convert_i32_s(i32.sub(g(P.yHi), ci(1)))))),
    brIf(0, i32.or(f64.gt(g(xmin), g(xmax)), f64.gt(g(ymin), g(ymax)))),
    local.set(area, f64.sub(mul(sub(x1, x0), sub(y2, y0)), mul(sub(x2, x0), sub(y1, y0)))),
    // area === 0 || !Number.isFinite(area)
    brIf(0, i32.or(f64.eq(g(area), cf(0)), f64.ne(f64.sub(g(area), g(area)), cf(0)))),
    local.set(inv, f64.div(cf(1), g(area))),
    local.set(a0, mul(sub(y1, y2), g(inv))), local.set(b0, mul(sub(x2, x1), g(inv))), local.set(c0, mul(f64.sub(mul(g(x1), g(y2)), mul(g(x2), g(y1))), g(inv))),
    local.set(a1, mul(sub(y2, y0), g(inv))), local.set(b1, mul(sub(x0, x2), g(inv))), local.set(c1, mul(f64.sub(mul(g(x2), g(y0)), mul(g(x0), g(y2))), g(inv))),
    local.set(a2, mul(sub(y0, y1), g(inv))), local.set(b2, mul(sub(x1, x0), g(inv))), local.set(c2, mul(f64.sub(mul(g(x0), g(y1)), mul(g(x1), g(y0))), g(inv))),
    local.set(za, f64.add(f64.add(mul(g(a0), g(z0)), mul(g(a1), g(z1))), mul(g(a2), g(z2)))),
    local.set(zb, f64.add(f64.add(mul(g(b0), g(z0)), mul(g(b1), g(z1))), mul(g(b2), g(z2)))),
    local.set(zc, f64.add(f64.add(mul(g(c0), g(z0)), mul(g(c1), g(z1))), mul(g(c2), g(z2)))),
    local.set(id, i32.add(g(t), ci(1))),
    local.set(px0, f64.add(g(xmin), cf(0.5))),
    local.set(ix0, i32.trunc_sat_f64_s(g(xmin))), local.set(ix1, i32.trunc_sat_f64_s(g(xmax))),
    local.set(y, i32.trunc_sat_f64_s(g(ymin))), local.set(iy1, i32.trunc_sat_f64_s(g(ymax))),
    block(loop(
      brIf(1, i32.gt_s(g(y), g(iy1))),
      local.set(py, f64.add(f64.convert_i32_s(g(y)), cf(0.5))),
      local.set(l0, lin(a0, b0, c0, g(px0), g(py))),
      local.set(l1, lin(a1, b1, c1, g(px0), g(py))),
      local.set(l2, lin(a2, b2, c2, g(px0), g(py))),
      local.set(z, lin(za, zb, zc, g(px0), g(py))),
      local.set(idx, i32.add(i32.mul(g(y), g(P.W)), g(ix0))),
      local.set(entered, ci(0)),
      local.set(x, g(ix0)),
      block(loop(
        brIf(1, i32.gt_s(g(x), g(ix1))),
        ifElse(i32.and(i32.and(f64.ge(g(l0), cf(0)), f64.ge(g(l1), cf(0))), f64.ge(g(l2), cf(0))), [
          local.set(entered, ci(1)),
          local.set(da, i32.add(g(P.depth), i32.shl(g(idx), ci(2)))),
          ifThen(i32.and(i32.and(f64.lt(g(z), f64.loadF32(g(da))), f64.ge(g(z), cf(-1))), f64.le(g(z), cf(1))),
            f32.store(g(da), f32.demote(g(z))),
            i32.store(i32.add(g(P.ids), i32.shl(g(idx), ci(2))), g(id)),
          ),
        ], [brIf(2, g(entered))]), // convex: the span on this row has ended
        local.set(l0, f64.add(g(l0), g(a0))), local.set(l1, f64.add(g(l1), g(a1))), local.set(l2, f64.add(g(l2), g(a2))), local.set(z, f64.add(g(z), g(za))),
        local.set(idx, i32.add(g(idx), ci(1))), local.set(x, i32.add(g(x), ci(1))),
        br(0),
      )),
      local.set(y, i32.add(g(y), ci(1))),
      br(0),
    )),
  );
  const body: Code[] = [
    local.set(t, ci(0)),
    block(loop(
      brIf(1, i32.ge_s(g(t), g(P.T))),
      block(...triangle),
      local.set(t, i32.add(g(t), ci(1))),
      br(0),
    )),
  ];
  return moduleBytes("coverage", PARAMS, L.types, body.flat(), true);
}

let calls = 0;
/** How many calls the kernel has run in this thread (tests check that it ran). */
export function wasmCoverageCalls(): number {
  return calls;
}

/** coverage()'s loop (rasterize.ts) in WebAssembly when it can; false = run JS. */
export function coverageWasm(scr: Float64Array, tris: Uint32Array, W: number, yLo: number, yHi: number, ids: Int32Array, depth: Float32Array, triRows: Int32Array, binned: boolean): boolean {
  if (!wasmKernelsEnabled() || yHi <= yLo) return false;
  const where = arenaOffsets([scr, tris, ids, depth, binned ? triRows : null]);
  if (!where) return false;
  const fn = kernelOn(where.memory, `coverage${+binned}`, "coverage", () => coverageBytes(binned));
  if (!fn) return false;
  const [s, t, i, d, r] = where.offsets as number[];
  fn(yLo, yHi, W, tris.length / 3, s!, t!, i!, d!, r!);
  calls++;
  return true;
}
