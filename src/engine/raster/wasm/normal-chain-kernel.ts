/**
 * The normal-chain adjoint (normalChain.ts normalChainBackward) as a WebAssembly SIMD kernel:
 * per covered pixel the normal frame (kept by the forward, or interpolated and sampled again),
 * shadingNormalsBackward, the normal map's scatter and dL/duv slope, and the interpolation
 * adjoints of the vertex normals, tangents and bitangents, with x, y (or two channels) per
 * f64x2 instruction. Float64 math in the JS loop's order and float32 rounding at its points,
 * so the bytes equal the JS loop's; where JS skips a zero channel the kernel adds an exact +0
 * (accumulators start at +0 and never hold −0). Declines for "repeat" normal maps, SIMD-less
 * runtimes and arrays outside a WasmArena.
 */
import type { NormalChainInputs } from "../normalChain.js";
import { FRAME } from "../normalChain.js";
import { F64, I32, V128, br, f64, f64x2, i32, ifThen, local, moduleBytes, select, v128, type Code } from "./asm.js";
import { arenaOffsets } from "./arena.js";
import { Locals, bilerp, cornerLocals, fround, froundV, interpXy, interpZ, kernelOn, normLen, pixelLoop, store1, store2, tapLocals, tapsCode, wasmKernelsEnabled } from "./kernel.js";

const P = {
  p0: 0, p1: 1, ids: 2, bary: 3, tris: 4, gradN: 5, vn: 6, vt: 7, vb: 8, uv: 9, tex: 10, tw: 11, th: 12, frame: 13,
  gVn: 14, gVb: 15, gMap: 16, gBary: 17, gUv: 18,
} as const;
const PARAMS = new Array(19).fill(I32);

export interface ChainConfig { nm: boolean; kept: boolean; wantMap: boolean; wantUv: boolean; wantPos: boolean }

export function normalChainBytes(cfg: ChainConfig): Uint8Array<ArrayBuffer> {
  const { nm, kept, wantMap, wantUv, wantPos } = cfg;
  const L = new Locals(PARAMS.length);
  const g = local.get, ci = i32.const, cf = f64.const, lane = f64x2.extract, splat = f64x2.splat;
  const p = L.next(I32), id = L.next(I32), t3 = L.next(I32), o = L.next(I32), u = L.next(F64), v = L.next(F64);
  const cr = cornerLocals(L);
  const { j0, j1, j2, b0, b1, b2, B0, B1, B2 } = cr;
  const tp = tapLocals(L);
  const Hxy = L.next(V128), hz = L.next(F64), Gxy = L.next(V128), gz = L.next(F64), igl = L.next(F64);
  const Txy = L.next(V128), tz = L.next(F64), Bxy = L.next(V128), bz = L.next(F64), Sxy = L.next(V128), sz = L.next(F64);
  const Mxy = L.next(V128), mz = L.next(F64), iml = L.next(F64), d = L.next(F64), GMxy = L.next(V128), gmz = L.next(F64);
  const G01 = L.next(V128), g2 = L.next(F64), NZ01 = L.next(V128);
  const gTxy = L.next(V128), gTz = L.next(F64), gBxy = L.next(V128), gBz = L.next(F64), gGxy = L.next(V128), gGz = L.next(F64);
  const A = L.next(V128), B = L.next(V128), D = L.next(V128), E = L.next(V128), PX01 = L.next(V128), PY01 = L.next(V128), PX23 = L.next(V128), PY23 = L.next(V128);
  const addr = L.next(I32), a2 = L.next(F64);
  const px = (arr: number, bytes: number) => i32.add(g(arr), i32.mul(g(p), ci(bytes)));
  /** (x·X + y·Y) + z·Z with (x, y) and (X, Y) in lanes. */
  const dot = (xy: Code, XY: Code, z: Code, Z: Code): Code => {
    const t = L.next(V128);
    return f64.add(f64.add(lane(local.tee(t, f64x2.mul(xy, XY)), 0), lane(g(t), 1)), f64.mul(z, Z));
  };
  const anyNonZero = (xy: number, z: number): Code =>
    i32.or(i32.or(f64.ne(lane(g(xy), 0), cf(0)), f64.ne(lane(g(xy), 1), cf(0))), f64.ne(g(z), cf(0)));
  /** acc[j] += b·gv per vertex j0, j1, j2 (xy lanes, then z): interpolateBackward's scatter. */
  const scatter = (acc: number, gxy: number, gzz: number): Code[] => [j0, j1, j2].flatMap((j, k) => {
    const Bk = [B0, B1, B2][k]!, bk = [b0, b1, b2][k]!;
    return [
      local.set(addr, i32.add(g(acc), g(j))),
      store2(g(addr), f64x2.add(f64x2.loadF32x2(g(addr)), f64x2.mul(g(Bk), g(gxy)))),
      store1(g(addr), f64.add(f64.loadF32(g(addr), 8), f64.mul(g(bk), g(gzz))), 8),
    ];
  });
  /** gBary[2p] += gv·(a[j1] − a[j0]), gBary[2p + 1] += gv·(a[j2] − a[j0]): the barycentrics' share. */
  const baryShare = (attr: number, gxy: number, gzz: number): Code[] => {
    const at = (j: number) => f64x2.loadF32x2(i32.add(g(attr), g(j)));
    const atz = (j: number) => f64.loadF32(i32.add(g(attr), g(j)), 8);
    return [
      local.set(addr, px(P.gBary, 8)),
      local.set(a2, atz(j0)),
      store1(g(addr), f64.add(f64.loadF32(g(addr)), dot(g(gxy), f64x2.sub(at(j1), at(j0)), g(gzz), f64.sub(atz(j1), g(a2))))),
      store1(g(addr), f64.add(f64.loadF32(g(addr), 4), dot(g(gxy), f64x2.sub(at(j2), at(j0)), g(gzz), f64.sub(atz(j2), g(a2)))), 4),
    ];
  };

  const pixel: Code[] = [
    local.set(id, i32.load(px(P.ids, 4))),
    ifThen(i32.eqz(g(id)), br(1)),
    local.set(Hxy, f64x2.loadF32x2(px(P.gradN, 12))), local.set(hz, f64.loadF32(px(P.gradN, 12), 8)),
    ifThen(i32.eqz(anyNonZero(Hxy, hz)), br(1)),
    local.set(t3, i32.add(g(P.tris), i32.mul(i32.sub(g(id), ci(1)), ci(12)))),
    local.set(b1, f64.loadF32(px(P.bary, 8))), local.set(b2, f64.loadF32(px(P.bary, 8), 4)),
    local.set(b0, f64.sub(f64.sub(cf(1), g(b1)), g(b2))),
    local.set(B0, splat(g(b0))), local.set(B1, splat(g(b1))), local.set(B2, splat(g(b2))),
    local.set(j0, i32.mul(i32.load(g(t3)), ci(12))), local.set(j1, i32.mul(i32.load(g(t3), 4), ci(12))), local.set(j2, i32.mul(i32.load(g(t3), 8), ci(12))),
    local.set(o, px(P.frame, FRAME * 4)),
  ];
  if (kept) pixel.push(local.set(Gxy, f64x2.loadF32x2(g(o))), local.set(gz, f64.loadF32(g(o), 8)), local.set(igl, f64.loadF32(g(o), 12)));
  else {
    const rl = L.next(F64);
    pixel.push(
      local.set(Gxy, froundV(interpXy(cr, P.vn))), local.set(gz, fround(interpZ(cr, P.vn))),
      local.set(rl, normLen(L, Gxy, gz)), local.set(igl, f64.div(cf(1), g(rl))),
      local.set(Gxy, f64x2.mul(g(Gxy), splat(g(igl)))), local.set(gz, f64.mul(g(gz), g(igl))),
    );
  }
  if (nm) {
    if (kept) {
      pixel.push(
        local.set(Txy, f64x2.loadF32x2(g(o), 16)), local.set(tz, f64.loadF32(g(o), 24)),
        local.set(Bxy, f64x2.loadF32x2(g(o), 28)), local.set(bz, f64.loadF32(g(o), 36)),
      );
    } else {
      pixel.push(
        local.set(Txy, froundV(interpXy(cr, P.vt))), local.set(tz, fround(interpZ(cr, P.vt))),
        local.set(Bxy, froundV(interpXy(cr, P.vb))), local.set(bz, fround(interpZ(cr, P.vb))),
      );
    }
    const uvp = L.next(V128);
    pixel.push(
      local.set(uvp, f64x2.loadF32x2(px(P.uv, 8))), local.set(u, lane(g(uvp), 0)), local.set(v, lane(g(uvp), 1)),
      tapsCode(L, tp, u, v, P.tw, P.th, 3),
    );
    if (kept) pixel.push(local.set(Sxy, f64x2.loadF32x2(g(o), 40)), local.set(sz, f64.loadF32(g(o), 48)));
    else pixel.push(local.set(Sxy, froundV(bilerp(tp, P.tex, 0))), local.set(sz, lane(froundV(bilerp(tp, P.tex, 8)), 0)));
    const tx = lane(g(Sxy), 0), ty = lane(g(Sxy), 1);
    const nxy = L.next(V128), nz = L.next(F64), ml = L.next(F64);
    pixel.push(
      // shadingNormalsBackward: m = tx·T + ty·B + tz·g, n = m/|m|.
      local.set(Mxy, f64x2.add(f64x2.add(f64x2.mul(splat(tx), g(Txy)), f64x2.mul(splat(ty), g(Bxy))), f64x2.mul(splat(g(sz)), g(Gxy)))),
      local.set(mz, f64.add(f64.add(f64.mul(tx, g(tz)), f64.mul(ty, g(bz))), f64.mul(g(sz), g(gz)))),
      local.set(ml, normLen(L, Mxy, mz)), local.set(iml, f64.div(cf(1), g(ml))),
      local.set(nxy, f64x2.mul(g(Mxy), splat(g(iml)))), local.set(nz, f64.mul(g(mz), g(iml))),
      local.set(d, dot(g(nxy), g(Hxy), g(nz), g(hz))),
      local.set(GMxy, f64x2.mul(f64x2.sub(g(Hxy), f64x2.mul(g(nxy), splat(g(d)))), splat(g(iml)))),
      local.set(gmz, f64.mul(f64.sub(g(hz), f64.mul(g(nz), g(d))), g(iml))),
      local.set(G01, f64x2.replace(splat(fround(dot(g(GMxy), g(Txy), g(gmz), g(tz)))), 1, fround(dot(g(GMxy), g(Bxy), g(gmz), g(bz))))),
      local.set(g2, fround(dot(g(GMxy), g(Gxy), g(gmz), g(gz)))),
      local.set(gTxy, froundV(f64x2.mul(splat(tx), g(GMxy)))), local.set(gTz, fround(f64.mul(tx, g(gmz)))),
      local.set(gBxy, froundV(f64x2.mul(splat(ty), g(GMxy)))), local.set(gBz, fround(f64.mul(ty, g(gmz)))),
      local.set(Hxy, f64x2.mul(splat(g(sz)), g(GMxy))), local.set(hz, f64.mul(g(sz), g(gmz))),
    );
    if (wantMap) {
      // sampleTextureBackward of the map; a zero channel adds +0 where JS skips it.
      pixel.push(local.set(NZ01, f64x2.ne(g(G01), splat(cf(0)))));
      for (const [e, W] of [[tp.e00, tp.W00], [tp.e01, tp.W01], [tp.e10, tp.W10], [tp.e11, tp.W11]] as const) {
        pixel.push(
          local.set(addr, i32.add(g(P.gMap), g(e))),
          store2(g(addr), f64x2.add(f64x2.loadF32x2(g(addr)), v128.and(f64x2.mul(g(W), g(G01)), g(NZ01)))),
          store1(g(addr), f64.add(f64.loadF32(g(addr), 8), select(f64.mul(lane(g(W), 0), g(g2)), cf(0), f64.ne(g(g2), cf(0)))), 8),
        );
      }
    }
    if (wantUv) {
      const at = (e: number, off: number) => f64x2.loadF32x2(i32.add(g(P.tex), g(e)), off);
      const OFX = splat(g(tp.ofx)), OFY = splat(g(tp.ofy)), FX = splat(g(tp.fx)), FY = splat(g(tp.fy));
      for (const [off, G, PX, PY] of [[0, G01, PX01, PY01], [8, -1, PX23, PY23]] as const) {
        const gv = G < 0 ? splat(g(g2)) : g(G);
        pixel.push(
          local.set(A, at(tp.e00, off)), local.set(B, at(tp.e01, off)), local.set(D, at(tp.e10, off)), local.set(E, at(tp.e11, off)),
          local.set(PX, f64x2.mul(gv, f64x2.add(f64x2.mul(OFY, f64x2.sub(g(B), g(A))), f64x2.mul(FY, f64x2.sub(g(E), g(D)))))),
          local.set(PY, f64x2.mul(gv, f64x2.add(f64x2.mul(OFX, f64x2.sub(g(D), g(A))), f64x2.mul(FX, f64x2.sub(g(E), g(B)))))),
        );
      }
      const sum = (V01: number, V23: number) => f64.add(f64.add(f64.add(cf(0), lane(g(V01), 0)), lane(g(V01), 1)), lane(g(V23), 0));
      pixel.push(
        local.set(addr, px(P.gUv, 8)),
        store1(g(addr), f64.add(f64.loadF32(g(addr)), f64.mul(sum(PX01, PX23), f64.convert_i32_s(g(P.tw))))),
        store1(g(addr), f64.sub(f64.loadF32(g(addr), 4), f64.mul(sum(PY01, PY23), f64.convert_i32_s(g(P.th)))), 4),
      );
    }
  }
  if (wantPos) {
    // Through ng = normalize(geomN), then the interpolation adjoints.
    pixel.push(
      local.set(d, dot(g(Gxy), g(Hxy), g(gz), g(hz))),
      local.set(gGxy, froundV(f64x2.mul(f64x2.sub(g(Hxy), f64x2.mul(g(Gxy), splat(g(d)))), splat(g(igl))))),
      local.set(gGz, fround(f64.mul(f64.sub(g(hz), f64.mul(g(gz), g(d))), g(igl)))),
      ifThen(anyNonZero(gGxy, gGz), ...scatter(P.gVn, gGxy, gGz), ...baryShare(P.vn, gGxy, gGz)),
    );
    if (nm) {
      pixel.push(
        ifThen(anyNonZero(gTxy, gTz), ...baryShare(P.vt, gTxy, gTz)),
        ifThen(anyNonZero(gBxy, gBz), ...scatter(P.gVb, gBxy, gBz), ...baryShare(P.vb, gBxy, gBz)),
      );
    }
  }
  return moduleBytes("chain", PARAMS, L.types, pixelLoop(p, pixel), true);
}

let calls = 0;
/** How many calls the kernel has run in this thread (tests check that it ran). */
export function wasmChainCalls(): number {
  return calls;
}

/** normalChainBackward's loop in WebAssembly when it can (see the header); false = run JS. */
export function normalChainBackwardWasm(x: NormalChainInputs): boolean {
  const { raster, normalMap, wantMap, wantPos, acc } = x;
  const p0 = x.p0 ?? 0, p1 = x.p1 ?? raster.width * raster.height;
  if (!wasmKernelsEnabled() || !acc || p1 <= p0) return false;
  const nm = normalMap !== null;
  if (nm && (normalMap.wrap === "repeat" || !x.tangents || !x.bitangents || !x.uvImg || (normalMap.channels ?? 3) !== 3)) return false;
  if (wantPos && !x.gBary) return false;
  const kept = x.frame != null;
  const cfg: ChainConfig = { nm, kept, wantMap: nm && wantMap, wantUv: nm && x.gUv !== null, wantPos };
  const where = arenaOffsets([
    raster.triangleId, raster.bary, x.triangles, x.gradN, x.vertexNormals, nm ? x.tangents : null, nm ? x.bitangents : null, nm ? x.uvImg : null,
    nm ? normalMap.data : null, kept ? x.frame! : null, wantPos ? acc.vertexNormals : null, wantPos && nm ? acc.bitangents : null,
    cfg.wantMap ? acc.normalMap : null, wantPos ? x.gBary : null, cfg.wantUv ? x.gUv : null,
  ]);
  if (!where || (cfg.wantMap && !acc.normalMap)) return false;
  const key = `chain${+cfg.nm}${+cfg.kept}${+cfg.wantMap}${+cfg.wantUv}${+cfg.wantPos}`;
  const fn = kernelOn(where.memory, key, "chain", () => normalChainBytes(cfg));
  if (!fn) return false;
  const [ids, bary, tris, gradN, vn, vt, vb, uv, tex, frame, gVn, gVb, gMap, gBary, gUv] = where.offsets as number[];
  fn(p0, p1, ids!, bary!, tris!, gradN!, vn!, vt!, vb!, uv!, tex!, nm ? normalMap.width : 1, nm ? normalMap.height : 1, frame!, gVn!, gVb!, gMap!, gBary!, gUv!);
  calls++;
  return true;
}
