// SIMD kernels (src/engine/raster/wasm/) against the JS loops they mirror, on the ICT region at
// 512², in the same process: each rep runs the WebAssembly kernel and the JS path back to back
// (A/B interleaved, order alternating) on the same frame in a WasmArena, timing CPU ms per
// call. Reports minima and medians of both and their ratio; the bytes are checked equal. The
// load average is recorded: the machine's cores are shared.
import { loadavg } from "node:os";
import { report } from "./lib.js";
import { loadFaceModel } from "../data-loaders/face/load.js";
import { gatherSplit, seamSplit } from "../src/engine/face/seam.js";
import { vertexNormals, vertexTangents } from "../src/engine/face/normals.js";
import { directionalLight, orbitCamera } from "../src/engine/raster/camera.js";
import { prepareFrame, type RenderMesh, type RenderOptions } from "../src/engine/raster/render.js";
import { forwardBand } from "../src/engine/raster/bands.js";
import { shadePixels } from "../src/engine/raster/fused.js";
import { sampleTextureBackward } from "../src/engine/raster/texture.js";
import { normalChainBackward, type NormalChainInputs } from "../src/engine/raster/normalChain.js";
import { normalChainBackwardWasm } from "../src/engine/raster/wasm/normal-chain-kernel.js";
import { shadeBackward } from "../src/engine/raster/shade.js";
import { rasterizeBackwardClip, rasterizeRows } from "../src/engine/raster/rasterize.js";
import { interpolateBackward, interpolateBackwardBary } from "../src/engine/raster/interpolate.js";
import { ParallelRenderer } from "../src/engine/raster/parallel.js";
import { WasmArena } from "../src/engine/raster/wasm/arena.js";
import { setWasmKernels, wasmSimdSupported } from "../src/engine/raster/wasm/fused-kernel.js";
import { Rng } from "../src/engine/util/rng.js";

const loadBefore = loadavg();
if (!wasmSimdSupported()) throw new Error("raster-simd: this runtime has no WebAssembly SIMD");

const model = await loadFaceModel();
const split = seamSplit(model, "dreamface");
const V = model.regions.dreamface.vertexCount;
const positions = model.neutral.slice(0, V * 3);
const splitPositions = gatherSplit(positions, split.source, 3);
const modelTris = split.triangles.map((v) => split.source[v]!);
const splitNormals = gatherSplit(vertexNormals(positions, modelTris), split.source, 3);
const tangents = vertexTangents(splitPositions, splitNormals, split.uv, split.triangles);
const mesh: RenderMesh = { positions, triangles: split.triangles, uv: split.uv, source: split.source, tangents };

const camera = orbitCamera({ azimuth: 20 });
const light = directionalLight(30, 25);
const texture = (C: number) => {
  const t = new Float32Array(512 * 512 * C);
  for (let i = 0; i < t.length; i++) t[i] = 0.5 + 0.3 * Math.sin(i * 0.001);
  return { data: t, width: 512, height: 512, channels: C };
};
const nmap = new Float32Array(512 * 512 * 3);
for (let i = 0; i < nmap.length; i += 3) { nmap[i] = 0.1 * Math.sin(i * 0.0007); nmap[i + 2] = 1; }
const normalMap = { data: nmap, width: 512, height: 512 };
const base = { camera, width: 512, height: 512 };
const configs: Record<string, RenderOptions> = {
  "texture + normal map + light (C = 3)": { ...base, light, texture: texture(3), normalMap },
  "same, keeping the normal frame": { ...base, light, texture: texture(3), normalMap, keepNormalFrame: true },
  "grey + normal map + light (carving)": { ...base, light, albedo: [0.7, 0.7, 0.7], normalMap },
  "latent texture, unlit (C = 4)": { ...base, texture: texture(4) },
  "latent texture + light (C = 4)": { ...base, light, texture: texture(4) },
};

const REPS = 41;
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const cpu = async (fn: () => unknown): Promise<number> => {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { minMs: +s[0]!.toFixed(3), medianMs: +s[s.length >> 1]!.toFixed(3) };
};

/** A/B of `run()` with the kernels on and off; `check` returns the bytes both must agree on. */
async function ab(name: string, run: () => unknown, check: () => Buffer) {
  const t: Record<"wasm" | "js", number[]> = { wasm: [], js: [] };
  const out: Partial<Record<"wasm" | "js", Buffer>> = {};
  for (let r = -3; r < REPS; r++) {
    for (const which of r % 2 ? (["wasm", "js"] as const) : (["js", "wasm"] as const)) {
      setWasmKernels(which === "wasm");
      const ms = await cpu(run);
      if (r >= 0) t[which].push(ms);
      out[which] ??= Buffer.from(check());
    }
  }
  setWasmKernels(true);
  if (!out.wasm!.equals(out.js!)) throw new Error(`${name}: the WebAssembly and JS bytes differ`);
  const wasm = stats(t.wasm), js = stats(t.js);
  const row = { wasm, js, speedupMin: +(js.minMs / wasm.minMs).toFixed(2), speedupMedian: +(js.medianMs / wasm.medianMs).toFixed(2), sameBytes: true };
  console.log(`${name}: wasm ${wasm.minMs} / ${wasm.medianMs} ms, js ${js.minMs} / ${js.medianMs} ms (min / median CPU) → ×${row.speedupMedian} (median)`);
  return row;
}

const arena = new WasmArena();
const forward: Record<string, unknown> = {};
for (const [name, opts] of Object.entries(configs)) {
  const { frame } = prepareFrame(mesh, opts, arena);
  frame.fused.wasm = arena.memory;
  forwardBand(frame, 0, 512); // rasterize once; then time the fused shading pass alone
  const N = 512 * 512;
  forward[name] = await ab(`forward shading, ${name}`, () => { shadePixels(frame.fused, 0, N, frame.out); }, () => bytes(frame.out.image));
}

// The texture adjoint alone (sampleTextureBackward over the frame's covered pixels), onto a
// zeroed accumulation buffer per call, as a band's is.
const textureAdjoint: Record<string, unknown> = {};
for (const C of [3, 4]) {
  const { frame } = prepareFrame(mesh, { ...base, texture: texture(C) }, arena);
  forwardBand(frame, 0, 512);
  const N = 512 * 512;
  const grad = arena.f32("bench.grad", N * C);
  grad.set(new Rng(3).normals(N * C));
  const gTex = arena.f32("bench.gTex", 512 * 512 * C), gUv = arena.f32("bench.gUv", N * 2);
  const tex = frame.fused.texture!;
  for (const wantUv of [false, true]) {
    const name = `C = ${C}, ${wantUv ? "with" : "without"} dL/duv`;
    textureAdjoint[name] = await ab(`texture adjoint, ${name}`, () => {
      gTex.fill(0);
      gUv.fill(0);
      sampleTextureBackward(frame.out.uvImg!, frame.raster.triangleId, tex.data, 512, 512, C, grad, {}, { texture: gTex, uv: wantUv ? gUv : null });
    }, () => Buffer.concat([bytes(gTex), bytes(gUv)]));
  }
}

// The normal-chain adjoint alone (dL/dn → normal map, vertex normals, bitangents, barycentrics,
// uv), with the forward's kept normal frame and recomputing it, onto zeroed buffers per call.
const normalChain: Record<string, unknown> = {};
for (const keep of [true, false]) {
  const { frame } = prepareFrame(mesh, { ...base, light, texture: texture(3), normalMap, keepNormalFrame: keep }, arena);
  forwardBand(frame, 0, 512);
  const N = 512 * 512, f = frame.fused;
  const gradN = arena.f32("bench.gradN", N * 3);
  gradN.set(new Rng(5).normals(N * 3));
  const S = f.vertexNormals!.length;
  const acc = { normalMap: arena.f32("bench.gMap", normalMap.data.length), vertexNormals: arena.f32("bench.gVn", S), bitangents: arena.f32("bench.gVb", S) };
  const gBary = arena.f32("bench.gBary", N * 2), gUv = arena.f32("bench.gUv", N * 2);
  const chain: NormalChainInputs = {
    raster: frame.raster, triangles: f.triangles, gradN, vertexNormals: f.vertexNormals!, tangents: f.tangents, bitangents: f.bitangents, uvImg: frame.out.uvImg,
    normalMap: f.normalMap, wantMap: true, wantPos: true, gBary, gUv, frame: frame.out.frame, acc,
  };
  const name = keep ? "kept normal frame" : "recomputed normal frame";
  normalChain[name] = await ab(`normal-chain adjoint, ${name}`, () => {
    for (const a of [acc.normalMap, acc.vertexNormals, acc.bitangents, gBary, gUv]) a.fill(0);
    if (!normalChainBackwardWasm(chain)) normalChainBackward(chain);
  }, () => Buffer.concat([acc.normalMap, acc.vertexNormals, acc.bitangents, gBary, gUv].map(bytes)));
}

// The shading adjoint alone (dL/dimage → dL/dalbedo, dL/dn), C = 3, lit.
const shading: Record<string, unknown> = {};
{
  const { frame } = prepareFrame(mesh, { ...base, light, texture: texture(3), normalMap }, arena);
  forwardBand(frame, 0, 512);
  const N = 512 * 512;
  const g = arena.f32("bench.gradImage", N * 3);
  g.set(new Rng(6).normals(N * 3));
  const out = { albedo: arena.f32("bench.gA", N * 3), normals: arena.f32("bench.gN", N * 3) };
  shading["C = 3, dL/dalbedo and dL/dn"] = await ab("shading adjoint, C = 3", () => {
    shadeBackward(frame.out.albedoImg, 3, frame.out.normals!, frame.raster.triangleId, light, null, null, g, 0, N, out);
  }, () => Buffer.concat([bytes(out.albedo), bytes(out.normals)]));
}

// Rasterization and its adjoints on the frame: rasterizeRows (coverage, JS either way, and the
// resolve kernel; clears included), dL/dbary → dL/dclip, and the uv term of dL/dbary (kernel vs JS
// interpolateBackwardBary; interpolateBackward, which also scatters the unused dL/duv-vertex,
// timed alone for comparison), onto zeroed buffers per call.
const raster: Record<string, unknown> = {};
{
  const { frame } = prepareFrame(mesh, { ...base, texture: texture(3) }, arena);
  forwardBand(frame, 0, 512);
  const N = 512 * 512, rs = frame.raster, tris = frame.fused.triangles;
  raster["rasterizeRows (coverage + resolve)"] = await ab("rasterize, coverage + resolve", () => {
    rasterizeRows(rs.clip, frame.scr, tris, 512, 0, 512, rs.triangleId, rs.depth, rs.bary);
  }, () => bytes(rs.bary));
  const gBary = arena.f32("bench.gBary", N * 2), gUv = arena.f32("bench.gUv", N * 2), gClip = arena.f64("bench.gClip", rs.clip.length);
  gBary.set(new Rng(7).normals(N * 2));
  gUv.set(new Rng(8).normals(N * 2));
  raster["barycentrics → clip adjoint"] = await ab("barycentrics → clip adjoint", () => {
    gClip.fill(0);
    rasterizeBackwardClip(rs.triangleId, 512, rs.clip, tris, gBary, gClip, 0, 512);
  }, () => Buffer.from(gClip.buffer, gClip.byteOffset, gClip.byteLength));
  const uv = frame.fused.uv!, gb = arena.f32("bench.gb", N * 2);
  raster["uv → barycentrics adjoint"] = await ab("uv → barycentrics adjoint", () => {
    gb.fill(0);
    interpolateBackwardBary(rs.triangleId, tris, uv, 2, gUv, gb, 0, N);
  }, () => bytes(gb));
  const scatter: number[] = [], gAttr = new Float32Array(uv.length);
  for (let r = 0; r < REPS; r++) scatter.push(await cpu(() => { gb.fill(0); gAttr.fill(0); interpolateBackward(rs, { triangles: tris }, uv, 2, gUv, { bary: gb, attr: gAttr }); }));
  raster["uv → barycentrics adjoint, before: interpolateBackward with the dL/duv-vertex scatter (JS)"] = stats(scatter);
}

// End to end on one thread: the ParallelRenderer (4 bands, frames in its arena) with the
// kernels on and off (every kernel: rasterization, shading, the adjoints).
const grad3 = Float32Array.from(new Rng(4).normals(512 * 512 * 3));
const r = new ParallelRenderer([], { bands: 4 });
const full: RenderOptions = { ...base, light, texture: texture(3), normalMap };
let image = Buffer.alloc(0), gradBytes = Buffer.alloc(0);
const endToEnd = {
  forward: await ab("ParallelRenderer 1 thread, forward", async () => { image = Buffer.from(bytes((await r.render(mesh, full)).image)); }, () => image),
  forwardAdjointTexture: await ab("ParallelRenderer 1 thread, forward + texture adjoint", async () => {
    gradBytes = Buffer.from(bytes((await r.renderBackward(await r.render(mesh, full), grad3, ["texture"])).texture!));
  }, () => gradBytes),
  forwardFullAdjoint: await ab("ParallelRenderer 1 thread, forward + full adjoint (kept normal frame)", async () => {
    const g = await r.renderBackward(await r.render(mesh, { ...full, keepNormalFrame: true }), grad3);
    gradBytes = Buffer.concat([g.texture!, g.normalMap!, g.positions!].map(bytes));
  }, () => gradBytes),
};

report("raster-simd", {
  note: "CPU ms per call on one thread, WebAssembly SIMD kernel vs the JS loop it mirrors, A/B interleaved in one process; bytes checked equal",
  frame: "ICT region, 512², 28,068 triangles",
  reps: REPS,
  loadBefore,
  loadAfter: loadavg(),
  forwardShading: forward,
  textureAdjoint,
  normalChain,
  shading,
  raster,
  endToEnd,
});
