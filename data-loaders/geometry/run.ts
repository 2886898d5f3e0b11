// The geometry stage in Node (paper Sec. 4): rank the pool against the prompt → coarse face
// T* = T(β*), then detail carving with SDS → carved face T†, writing every artefact into the
// run folder. Resumable (data-loaders/run/loop.ts): a killed run restarts from its newest
// checkpoint and produces the same files as an uninterrupted one.
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { UserError } from "../cli/errors.js";
import { checkPrompt } from "../clip/prompt.js";
import { claimRunDir, createRunDir, writeManifest, profileLabel, rowsToParquet, runLoop } from "../run/index.js";
import { loadFaceModel } from "../face/load.js";
import { createNodeBackend } from "../models/backend-node.js";
import { stageCapabilities, substitutionIdentity } from "../models/preflight.js";
import { runsExactly, type CapabilityTable } from "../../src/engine/models/capabilities.js";
import { tokenize } from "../clip/merges.js";
import { seamSplit, splitFrame } from "../../src/engine/face/seam.js";
import { vertexNormals } from "../../src/engine/face/normals.js";
import { faceGlbAsset, faceObjMesh } from "../../src/engine/export/face-asset.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { writeObj } from "../../src/engine/export/obj.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { encodeText } from "../../src/engine/models/text.js";
import type { Experiment } from "../../src/engine/config/experiment.js";
import { Carver, normalMapToRgb, type ResolvedCarvingConfig } from "../../src/engine/stages/geometry/carve.js";
import { backendGuide } from "../../src/engine/stages/geometry/guide.js";
import { loadPool } from "./pool-read.js";
import { rankPrompt } from "./pool-rank.js";
import { defaultPoolSize, ensureDefaultPool } from "./pool-default.js";
import { encodePng8, encodePng16 } from "../io/png.js";
import { writeNormalMapF32, NORMAL_MAP_F32, NORMAL_MAP_HEADER } from "./normal-map-file.js";
import { runHairSelection } from "./hair-select.js";
import { loadExperiment } from "../run/experiment.js";
import { createStageRenderer, renderThreads } from "../raster/render-workers.js";
import type { ParallelRenderer } from "../../src/engine/raster/parallel.js";
import type { Resumable } from "../../src/engine/run/resumable.js";

export interface GeometryStageOptions {
  prompt: string;
  profile?: string;
  /** Pool folder; default: a small pool built once into the user cache. */
  pool?: string;
  /** Experiment JSON file (src/engine/config/experiment.ts). */
  experiment?: string;
  /** Overrides the experiment's carving steps and seed (the CLI parses its flags into these). */
  steps?: number;
  seed?: number;
  out?: string;
  /** Stop after this many carving steps in this process (tests use it to simulate a kill). */
  stopAfter?: number;
  /** Render threads (default DREAMFACE_THREADS, else the machine's cores); the bytes do not depend on it. */
  threads?: number;
  backend?: Backend;
  /** What the profile can do (generate computes it once for every stage); default: probed here and printed. */
  capabilities?: CapabilityTable;
  quiet?: boolean;
  /** `dreamface serve`: wraps the carver to stream rows, pause and steer its config between steps (data-loaders/live/run.ts). */
  live?: (carver: Carver) => Resumable;
}

export interface GeometryStageResult {
  dir: string;
  label?: string;
  betaStar: Float32Array;
  beta: Float32Array;
  coarseIndex: number;
  stepsDone: number;
  complete: boolean;
  files: Record<string, string>;
  timings: Record<string, number>;
}

/** Render side per profile when the experiment doesn't set one: SD 1.5 wants 512²; on tiny, 300 steps at 128² take about a minute on 2 busy cores. */
export const DEFAULT_RENDER_SIZE: Record<string, number> = { tiny: 128, sd15: 512 };
/** Side of N_d per profile when the experiment doesn't set one: 512² on sd15 for the paper's wrinkle-level detail. */
export const DEFAULT_NORMAL_MAP_SIZE: Record<string, number> = { tiny: 128, sd15: 512 };

/** The carving config with the per-profile render and N_d sizes filled in. */
export function resolveCarving(carving: Experiment["geometry"]["carving"], profile: string): ResolvedCarvingConfig {
  return {
    ...carving,
    renderSize: carving.renderSize ?? DEFAULT_RENDER_SIZE[profile] ?? 512,
    normalMapSize: carving.normalMapSize ?? DEFAULT_NORMAL_MAP_SIZE[profile] ?? 512,
  };
}

function carvedAsset(model: FaceModel, beta: Float32Array, carved: Float32Array, normalPng: Uint8Array | undefined, extras: Record<string, unknown>) {
  const asset = faceGlbAsset(model, { identity: beta, region: "dreamface", extras, ...(normalPng ? { material: { name: "face", normalPng, baseColorFactor: [0.75, 0.75, 0.75, 1] as const } } : {}) });
  const split = seamSplit(model, "dreamface");
  const frame = splitFrame(split, carved, { modelTriangles: model.regions.dreamface.triangles, scale: 0.01, tangents: !!normalPng });
  asset.positions = frame.positions;
  asset.normals = frame.normals;
  if (frame.tangents) asset.tangents = frame.tangents;
  return writeGlb(asset);
}

function carvedObj(model: FaceModel, beta: Float32Array, carved: Float32Array, comments: string[]): string {
  const mesh = faceObjMesh(model, { identity: beta, region: "dreamface" });
  mesh.positions = carved;
  mesh.normals = vertexNormals(carved, model.regions.dreamface.triangles);
  return writeObj(mesh, { comments });
}

export async function runGeometryStage(opts: GeometryStageOptions): Promise<GeometryStageResult> {
  const t0 = performance.now();
  const prompt = checkPrompt(opts.prompt);
  const exp = loadExperiment(opts.experiment, { profile: opts.profile, steps: opts.steps, seed: opts.seed, prompt });
  const profile = exp.profile;
  const { ranking } = exp.geometry;
  const carving = resolveCarving(exp.geometry.carving, profile);
  const threads = renderThreads(opts.threads); // a bad DREAMFACE_THREADS stops the run before any work
  // Which models exist decides what runs: before any folder, pool or step.
  const capabilities = await stageCapabilities("geometry", profile, opts);
  const encoderVjp = runsExactly(capabilities, "geometry.carving-vjp") ? "graph" : "linear-approx";
  const dir = createRunDir({ stage: "geometry", outDir: opts.out });
  const label = profileLabel(profile);
  const resolvedConfig = { ...exp, geometry: { ranking, carving } };

  const identity = JSON.stringify({ prompt, seed: exp.seed, profile, pool: opts.pool ? resolve(opts.pool) : "default", geometry: resolvedConfig.geometry, ...substitutionIdentity(capabilities) });
  const unlock = claimRunDir(dir, identity, "geometry", "prompt, seed, profile, pool or config");

  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  const backend = opts.backend ?? (await createNodeBackend({ profile }));
  let renderer: ParallelRenderer | undefined;
  try {
    let t = performance.now();
    const model = await loadFaceModel();
    lap("loadFace", t);

    // Coarse: rank the pool (Eq. 3), take the best candidate.
    t = performance.now();
    const poolDir = opts.pool ? resolve(opts.pool) : await ensureDefaultPool({ profile, size: defaultPoolSize(profile, ranking.defaultPoolSize), seed: ranking.defaultPoolSeed, backend, quiet: opts.quiet });
    const pool = await loadPool(poolDir);
    if (pool.spec.profile !== profile)
      throw new UserError(`the pool at ${poolDir} was embedded with the ${pool.spec.profile} profile's CLIP, but this run uses ${profile}: scores would compare different embedding spaces`);
    if (pool.anchors.anchorText !== ranking.anchorText)
      throw new UserError(`the pool's anchor text is "${pool.anchors.anchorText}" but the experiment asks for "${ranking.anchorText}": rebuild the pool or change geometry.ranking.anchorText`);
    lap("pool", t);
    t = performance.now();
    const ranked = await rankPrompt(pool, prompt, { lambdaD: ranking.lambdaDirect, lambdaR: ranking.lambdaRelative, k: ranking.topK, backend });
    lap("rank", t);
    const best = ranked.top[0]!;
    const K = pool.spec.identityCount;
    const betaStar = pool.betas.slice(best.index * K, (best.index + 1) * K);
    writeFileAtomic(join(dir, "ranking.parquet"), rowsToParquet(ranked.top.map((c) => ({ ...c }))));
    const extras = { generator: "DreamFace Workbench geometry stage", prompt, profile, ...(label ? { label } : {}) };
    const comments = [`DreamFace Workbench geometry stage, prompt: ${prompt}`, ...(label ? [label] : [])];
    writeFileAtomic(join(dir, "coarse.glb"), writeGlb(faceGlbAsset(model, { identity: betaStar, region: "dreamface", extras: { ...extras, mesh: "coarse T*" } })));
    writeFileAtomic(join(dir, "coarse.obj"), writeObj(faceObjMesh(model, { identity: betaStar, region: "dreamface" }), { comments }));

    // Fine: detail carving, resumable.
    t = performance.now();
    const [cond, uncond] = await Promise.all([encodeText(backend, tokenize(prompt)), encodeText(backend, tokenize(""))]);
    const guide = backendGuide(backend, { cond: cond.hiddenStates, uncond: uncond.hiddenStates }, { encoderVjp });
    renderer = await createStageRenderer(threads, carving.renderBands);
    const carver = new Carver({ model, split: seamSplit(model, "dreamface"), betaStar, config: carving, seed: exp.seed, guide, renderer });
    const writeSnapshot = (step: number) => {
      const s = carver.snapshot(256);
      const name = `step-${String(step).padStart(4, "0")}`;
      writeFileAtomic(join(dir, "snapshots", `${name}-render.png`), encodePng8(s.render, s.size, s.size, 3, label));
      writeFileAtomic(join(dir, "snapshots", `${name}-normal.png`), encodePng8(s.normalMapRgb, s.normalMapWidth, s.normalMapHeight, 3, label));
    };
    const total = carver.total;
    const { log } = await runLoop(opts.live ? opts.live(carver) : carver, {
      dir,
      label: "carving",
      checkpointEvery: carving.checkpointEvery,
      snapshotEvery: carving.snapshotEvery,
      snapshot: writeSnapshot,
      stopAfter: opts.stopAfter,
      quiet: opts.quiet,
      progressInfo: (row) => ({ t: Number(row.t), sds: Number(row.loss_sds).toFixed(4) }),
    });
    lap("carving", t);
    const complete = carver.step >= total;
    const files: Record<string, string> = {
      "coarse.glb": "coarse face T* = T(β*), 53 expression morph targets",
      "coarse.obj": "coarse face T*, ICT polygons",
      "ranking.parquet": "top-k candidates: rank, index, score, s_d, s_r",
      "trajectory.jsonl": "per carving step: every loss term, λ values, grad norms, t, lr (no wall time: see timings)",
      "snapshots/": "front render and normal map every snapshotEvery steps",
    };
    if (complete) {
      const carved = carver.carved();
      // N_d at full precision for the texture stage; a 16-bit PNG for export; 8-bit inside the .glb (viewers).
      // N_d is an atlas: the face tile and the head-and-neck tile side by side (W = 2·M).
      const { ndWidth: W, ndHeight: M } = carver;
      writeNormalMapF32(dir, carver.nd, W, M, label);
      const normalRgb = normalMapToRgb(carver.nd);
      writeFileAtomic(join(dir, "normal-map.png"), encodePng16(normalRgb, W, M, 3, label));
      const normalPng = encodePng8(normalRgb, W, M);
      writeFileAtomic(join(dir, "carved.glb"), carvedAsset(model, carver.beta, carved, normalPng, { ...extras, mesh: "carved T†" }));
      writeFileAtomic(join(dir, "carved.obj"), carvedObj(model, carver.beta, carved, comments));
      writeFileAtomic(join(dir, "beta.json"), JSON.stringify({ betaStar: Array.from(betaStar), beta: Array.from(carver.beta), coarseIndex: best.index }) + "\n");
      log.toParquet(join(dir, "trajectory.parquet"));
      if (exp.geometry.hair.enabled) {
        t = performance.now();
        const { style, colour, renderSize } = exp.geometry.hair;
        const hair = await runHairSelection({ runDir: dir, prompt, profile, backend, seed: exp.seed, style, colour, size: renderSize, quiet: true });
        lap("hair", t);
        Object.assign(files, hair.files);
      }
      Object.assign(files, {
        "carved.glb": "carved face T† with the detail normal map N_d, 53 expression morph targets",
        "carved.obj": "carved face T†, ICT polygons",
        "normal-map.png": "detail normal map N_d for export (16-bit, tangent space, RGB = n·0.5 + 0.5), face and head tiles side by side (2:1 atlas)",
        [NORMAL_MAP_F32]: "N_d as carving optimised it: raw float32 [M×2M×3] (face tile | head tile), the texture stage's input",
        [NORMAL_MAP_HEADER]: "header of normal-map.f32 (size, layout, sha256)",
        "trajectory.parquet": "the trajectory as Parquet",
        "beta.json": "β* (selected) and β† (refined)",
      });
    }
    timings.total = Math.round(performance.now() - t0);
    writeManifest(dir, {
      stage: "geometry",
      config: resolvedConfig,
      seeds: { experiment: exp.seed, pool: pool.spec.seed },
      profile,
      label,
      modelHashes: backend.modelHashes(),
      capabilities,
      timings,
      renderer: { threads: renderer.threads, bands: renderer.bands },
      inputs: { prompt, pool: poolDir, poolSize: pool.spec.size, experiment: opts.experiment ?? null, coarseIndex: best.index, coarseScore: best.score },
      outputs: files,
      complete,
      stepsDone: carver.step,
    });
    if (!opts.quiet) {
      console.log(`${complete ? "geometry stage done" : `geometry stage paused at step ${carver.step}/${total}`}: ${dir}${label ? ` [${label}]` : ""}`);
    }
    return { dir, label, betaStar, beta: carver.beta.slice(), coarseIndex: best.index, stepsDone: carver.step, complete, files, timings };
  } finally {
    await renderer?.close();
    if (!opts.backend) await backend.dispose();
    unlock();
  }
}
