// "Where the time goes" in one 512² frame, forward + full adjoint, one thread: each kernel of
// bands.ts timed on its own over the whole frame (fastest CPU ms of several calls), in the
// order render()/renderBackward() run them. The parts add up to about one render + adjoint.
// With a WasmArena as `mem` the frame lives there and the SIMD kernels run (as in a
// ParallelRenderer); without, the JS loops (as in render()/renderBackward()).
import { cpuMs } from "./lib.js";
import { prepareFrame, backwardJob, finishBackward, frameResult, type FrameMemory, type RenderMesh, type RenderOptions } from "../src/engine/raster/render.js";
import { accShape, bandScratch, newAcc, forwardBand } from "../src/engine/raster/bands.js";
import { rasterizeRows, rasterizeBackwardClip } from "../src/engine/raster/rasterize.js";
import { shadePixels } from "../src/engine/raster/fused.js";
import { shadeBackward, shadeBackwardAlbedo } from "../src/engine/raster/shade.js";
import { normalChainBackward } from "../src/engine/raster/normalChain.js";
import { sampleTextureBackward } from "../src/engine/raster/texture.js";
import { interpolateBackwardBary } from "../src/engine/raster/interpolate.js";

export function profileFrame(mesh: RenderMesh, opts: RenderOptions, gradImage: Float32Array, n = 10, mem?: FrameMemory): Record<string, number> {
  const { frame, saved } = prepareFrame(mesh, { ...opts, keepNormalFrame: true }, mem);
  forwardBand(frame, 0, opts.height);
  const result = frameResult(frame, saved);
  const { raster, fused: f, out, scr } = frame;
  const W = raster.width, H = raster.height, N = W * H, C = f.channels;
  const job = backwardJob(result, gradImage, ["texture", "normalMap", "positions"], mem);
  let slot = 0;
  const acc = mem ? newAcc(accShape(job), (k) => mem.f32(`prof.acc${slot++}`, k), (k) => mem.f64(`prof.acc${slot++}`, k), (k) => mem.i32("prof.footprint", k)) : newAcc(accShape(job));
  const grad = job.gradImage; // in `mem` when given, where the kernels read it
  const scratch = bandScratch(job);
  const gs = { albedo: scratch.gA, normals: scratch.gN };
  const ids = raster.triangleId;
  const parts = {
    "forward: vertex normals, tangents, clip + screen coords": cpuMs(() => prepareFrame(mesh, opts, mem), n),
    "forward: rasterize (coverage + barycentrics)": cpuMs(() => rasterizeRows(raster.clip, scr, f.triangles, W, 0, H, ids, raster.depth, raster.bary), n),
    "forward: fused interpolate + texture + normal map + shade (keeping the normal frame)": cpuMs(() => shadePixels(f, 0, N, out), n),
    "adjoint: shade": cpuMs(() => shadeBackward(out.albedoImg, C, out.normals!, ids, f.light!, f.specular, out.viewDirs, grad, 0, N, gs), n),
    "adjoint: normal chain (kept frame; map taps, scatters)": cpuMs(() => normalChainBackward({
      raster, triangles: f.triangles, gradN: gs.normals, vertexNormals: f.vertexNormals!, tangents: f.tangents, bitangents: f.bitangents, uvImg: out.uvImg,
      normalMap: f.normalMap, wantMap: true, wantPos: true, gBary: job.gBary, gUv: job.gUv, frame: out.frame, acc: { normalMap: acc.normalMap, vertexNormals: acc.vertexNormals!, bitangents: acc.bitangents! },
    }), n),
    "adjoint: texture (to texels and uv)": cpuMs(() => sampleTextureBackward(out.uvImg!, ids, f.texture!.data, f.texture!.width, f.texture!.height, C, gs.albedo, {}, { texture: acc.texture!, uv: job.gUv }), n),
    "adjoint: uv interpolation → barycentrics": cpuMs(() => interpolateBackwardBary(ids, f.triangles, f.uv!, 2, job.gUv!, job.gBary!, 0, N), n),
    "adjoint: barycentrics → clip vertices": cpuMs(() => rasterizeBackwardClip(ids, W, raster.clip, f.triangles, job.gBary!, acc.clip!, 0, H), n),
    "adjoint: per-vertex tail (normals, clip → positions, seam scatter)": cpuMs(() => finishBackward(saved, job, { ...acc, vertexNormals: acc.vertexNormals!.slice() }), n),
    "texture-only adjoint: shade (albedo part)": cpuMs(() => shadeBackwardAlbedo(C, out.normals!, ids, f.light!, grad, 0, N, scratch.gA), n),
    "texture-only adjoint: texture (to texels only)": cpuMs(() => sampleTextureBackward(out.uvImg!, ids, f.texture!.data, f.texture!.width, f.texture!.height, C, gs.albedo, {}, { texture: acc.texture!, uv: null }), n),
  };
  let covered = 0;
  for (let p = 0; p < N; p++) covered += out.mask[p]!;
  return { ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, +v.toFixed(2)])), coveredPixels: covered, pixels: N };
}
