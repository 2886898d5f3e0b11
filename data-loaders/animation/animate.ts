// `dreamface animate`: track a video or a folder of images in headless Chromium, fit ICT
// expression weights per frame, and write the asset back with the result as a glTF animation.
// The .glb is written atomically; a run folder keeps the manifest, the tracked frames
// (tracking.jsonl + checkpoints, through the stage loop) and the per-frame weights.
import { readFileSync, readdirSync, existsSync, rmdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { requireFeature } from "../models/preflight.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { createRunDir, lockRunDir, runLoop, writeManifest } from "../run/index.js";
import { loadFaceModel } from "../face/load.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { landmarkBasis } from "../../src/engine/stages/animation/correspondence.js";
import { calibratedBasis } from "../../src/engine/stages/animation/calibration.js";
import { regionWeights } from "../../src/engine/stages/animation/regions.js";
import { loadCalibration } from "./calibration.js";
import { fitSequence } from "../../src/engine/stages/animation/sequence.js";
import { clipFromFrames, type Interpolation } from "../../src/engine/stages/animation/clip.js";
import { addAnimations, morphedMeshes, parseGlb, type MorphedMesh } from "../../src/engine/stages/animation/glb.js";
import { personalizedGlb } from "./personalized.js";
import { FrameTracking, TRACKING_TRAJECTORY, rowFrame, trackingKey } from "./tracking-run.js";
import { parseAnimationConfig, type AnimationConfig } from "../../src/engine/stages/animation/config.js";
import { loadCorrespondence } from "./correspondence.js";
import { openImageTracker, openVideoTracker, type TrackedFrame, type TrackerSession } from "./track.js";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

export interface AnimateOptions {
  asset: string;
  video?: string;
  images?: string;
  out: string;
  fps?: number;
  maxFrames?: number;
  dims?: 2 | 3;
  interpolation?: Interpolation;
  runDir?: string;
  ictDir?: string;
  /** "blendshape" (default): fitted ICT weights; "personalized": G_geo(T†, E_exp(frame)) per frame. */
  path?: "blendshape" | "personalized";
  /** Model profile for the personalized path (default "tiny": random weights, a test signal). */
  profile?: string;
  /** An experiment's `animation` section; the flags above override it. */
  config?: Partial<AnimationConfig>;
}

export interface AnimateResult {
  out: string;
  runDir: string;
  frames: number;
  framesWithFace: number;
  meanRmsePx: number;
  /** What the output is (e.g. the tiny profile's "test signal, not a face"). */
  label: string;
}

/** Checks an asset carries ICT's topology: a morphed mesh with ICT's vertex count and its 53 expressions. */
export function checkTopology(assetName: string, meshes: MorphedMesh[], model: FaceModel): MorphedMesh {
  const counts = new Set<number>([model.regions.dreamface.vertexCount, model.regions.full.vertexCount]);
  for (const region of ["dreamface", "full"] as const) {
    if (model.neutral.length >= model.regions[region].vertexCount * 3) counts.add(seamSplit(model, region).source.length);
  }
  const ok = meshes.find((m) => counts.has(m.vertexCount) && model.expressionNames.every((n) => m.targetNames.includes(n)));
  if (ok) return ok;
  if (meshes.length === 0) throw new UserError(`${assetName} does not have the ICT-FaceKit topology: it has no mesh with morph targets (expected the 53 ICT expressions)`);
  const m = meshes[0]!;
  const missing = model.expressionNames.filter((n) => !m.targetNames.includes(n));
  throw new UserError(
    `${assetName} does not have the ICT-FaceKit topology: its mesh has ${m.vertexCount} vertices and ${m.targetNames.length} morph targets` +
      ` (expected ${[...counts].sort((a, b) => a - b).join(" or ")} vertices and the 53 ICT expressions${missing.length ? `; missing e.g. ${missing.slice(0, 3).join(", ")}` : ""})`,
  );
}

/** Removes `dir` if empty, then its parents up to `levels` folders, each only if empty (a run folder and its run id). */
function removeEmptyDirs(dir: string, levels: number): void {
  for (let d = dir, i = 0; i < levels; i++, d = dirname(d)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/**
 * The landmark basis the blendshape path fits: the geometric MediaPipe → ICT correspondence,
 * with MediaPipe's measured response to each expression (the committed calibration) in place
 * of the geometric x, y.
 */
export function trackerBasis(model: FaceModel, identityModes: number) {
  const geometric = landmarkBasis(model, loadCorrespondence(), undefined, identityModes);
  const calibration = loadCalibration();
  return calibration ? calibratedBasis(geometric, calibration) : geometric;
}

export function listImages(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--images ${dir}: not a directory`);
  const files = readdirSync(dir)
    .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new UserError(`--images ${dir}: no ${IMAGE_EXTENSIONS.join("/")} files in it`);
  return files;
}

/**
 * Tracking, the slow part, runs through the stage loop one frame per step (tracking-run.ts), so
 * re-running the same command in the run folder (e.g. after a kill -9) continues at the frame
 * it stopped at, or reuses a finished tracking without starting a browser. A video's frame count
 * is known only once Chromium has opened it; images open the tracker at their first untracked frame.
 */
async function trackFrames(runDir: string, opts: AnimateOptions, inputs: string[], { fps, maxFrames, crops }: { fps: number; maxFrames: number; crops: boolean }): Promise<TrackedFrame[]> {
  const key = trackingKey({ inputs, fps, maxFrames, crops, video: !!opts.video });
  let session: Promise<TrackerSession> | undefined = opts.video ? openVideoTracker(inputs[0]!, { fps, maxFrames, crops }) : undefined;
  const total = opts.video ? (await session!).count : inputs.length;
  const system = new FrameTracking(total, key, async (i) => (await (session ??= openImageTracker(inputs, fps, { crops }))).frame(i));
  try {
    const loop = await runLoop(system, { dir: runDir, label: `tracking ${basename(opts.video ?? opts.images!)}`, trajectory: TRACKING_TRAJECTORY, checkpointEvery: 1 });
    return loop.log.rows().map(rowFrame);
  } catch (error) {
    // An input that could not be read at all leaves no run behind: nothing was tracked.
    const log = join(runDir, `${TRACKING_TRAJECTORY}.jsonl`);
    if (system.step === 0 && !existsSync(join(runDir, "checkpoints")) && existsSync(log) && statSync(log).size === 0) rmSync(log);
    throw error;
  } finally {
    if (session) await (await session.catch(() => undefined))?.close();
  }
}

export async function animate(opts: AnimateOptions): Promise<AnimateResult> {
  if (!!opts.video === !!opts.images) throw new UserError("give exactly one of --video FILE or --images DIR");
  if (!opts.out.toLowerCase().endsWith(".glb")) throw new UserError(`--out ${opts.out}: must be a .glb file`);
  if (opts.fps !== undefined && !(opts.fps > 0 && opts.fps <= 120)) throw new UserError(`--fps ${opts.fps}: must be in (0, 120]`);
  let config: AnimationConfig;
  try {
    config = parseAnimationConfig({
      ...opts.config, path: opts.path ?? opts.config?.path, fps: opts.fps ?? opts.config?.fps, maxFrames: opts.maxFrames ?? opts.config?.maxFrames,
      dims: opts.dims ?? opts.config?.dims, interpolation: opts.interpolation ?? opts.config?.interpolation, profile: opts.profile ?? opts.config?.profile,
    });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const fps = config.fps ?? (opts.video ? 15 : 1);
  if (!existsSync(opts.asset)) throw new UserError(`asset not found: ${opts.asset}`);
  // The personalized path's networks have no public weights: refuse before tracking, in one line.
  const capabilities = config.path === "personalized" ? (await requireFeature({ profile: config.profile, id: "animation.personalized" })).table : undefined;
  const assetBytes = readFileSync(opts.asset);
  let meshes: MorphedMesh[];
  try {
    meshes = morphedMeshes(parseGlb(assetBytes));
  } catch (error) {
    throw new UserError(`${opts.asset}: ${(error as Error).message}`);
  }
  const model = await loadFaceModel({ dir: opts.ictDir });
  const mesh = checkTopology(basename(opts.asset), meshes, model);
  const personalized = config.path === "personalized";
  if (opts.video) {
    // Chromium would report an empty or missing file only after starting (seconds, and a run folder).
    if (!existsSync(opts.video)) throw new UserError(`--video ${opts.video}: not found`);
    if (statSync(opts.video).size === 0) throw new UserError(`--video ${opts.video}: the file is empty`);
  }
  const runDir = createRunDir({ stage: "animation", outDir: opts.runDir });
  // One writer per run folder; an error leaves the lock to process exit, which releases it.
  const unlock = lockRunDir(runDir);

  const t0 = performance.now();
  const inputs = opts.video ? [resolve(opts.video)] : listImages(opts.images!);
  const frames = await trackFrames(runDir, opts, inputs, { fps, maxFrames: config.maxFrames, crops: personalized }).catch((error: unknown) => {
    unlock();
    removeEmptyDirs(runDir, 2);
    throw error;
  });
  const tTrack = performance.now() - t0;
  const faceless = frames.filter((f) => !f.landmarks);
  if (faceless.length === frames.length) {
    throw new UserError(`no face found in ${opts.video ?? (frames.length === 1 ? frames[0]!.source : `any of the ${frames.length} images in ${opts.images}`)}`);
  }
  if (opts.images && faceless.length) {
    throw new UserError(`no face found in ${faceless.map((f) => basename(f.source)).join(", ")}`);
  }

  // Identity modes let the first frames absorb the person's face shape (then held fixed).
  const basis = trackerBasis(model, config.fit.identityModes);
  const seq = fitSequence(basis, frames, {
    dims: config.dims, tikhonov: config.fit.tikhonov, temporal: config.fit.temporal, identityPrior: config.fit.identityPrior, identityFrames: config.fit.identityFrames, smoothing: config.smoothing,
    neutralFirst: config.fit.neutralFirst, landmarkWeights: regionWeights(basis.count), sparsity: config.fit.sparsity, decouple: config.fit.decouple,
    debias: config.fit.debias, noise: config.fit.noiseModel, focal: config.fit.focal === "weak" ? undefined : config.fit.focal,
  });
  const tFit = performance.now() - t0 - tTrack;
  const clipName = opts.video ? basename(opts.video) : basename(resolve(opts.images!));
  let animated: Uint8Array;
  let personalizedInfo: Awaited<ReturnType<typeof personalizedGlb>> | undefined;
  if (personalized) {
    personalizedInfo = await personalizedGlb(model, parseGlb(assetBytes), mesh, frames, { fps, profile: config.profile, name: `${clipName} (personalized)` });
    animated = personalizedInfo.bytes;
  } else {
    animated = addAnimations(assetBytes, [clipFromFrames(clipName, model.expressionNames, seq.weights, fps, config.interpolation)]);
  }
  writeFileAtomic(resolve(opts.out), animated);

  const rmse = seq.fits.filter((f) => f !== null).map((f) => f!.rmse);
  writeJsonAtomic(join(runDir, "weights.json"), {
    path: personalized ? "personalized" : "blendshape",
    ...(personalized ? { note: "weights are the blendshape fit of the same frames, for comparison; the .glb carries the personalized geometry" } : {}),
    names: model.expressionNames,
    fps,
    identity: Array.from(seq.identity, (b) => Math.round(b * 1e4) / 1e4),
    frames: frames.map((f, i) => ({
      time: f.time,
      source: f.source,
      faces: f.faces,
      rmsePx: seq.fits[i]?.rmse ?? null,
      weights: Array.from(seq.weights[i]!, (w) => Math.round(w * 1e5) / 1e5),
    })),
  });
  writeManifest(runDir, {
    stage: "animation",
    config: { ...config, fps, fixedAtZero: "eyeLook* (gaze: no iris landmarks)" },
    seeds: {},
    profile: personalized ? config.profile : "none",
    label: personalized ? personalizedInfo!.label : "blendshape path: MediaPipe landmarks fitted to ICT expressions (no learned model involved)",
    ...(personalizedInfo ? { modelHashes: personalizedInfo.modelHashes } : {}),
    ...(capabilities ? { capabilities } : {}),
    inputs: { asset: resolve(opts.asset), video: opts.video && resolve(opts.video), images: opts.images && resolve(opts.images) },
    outputs: { "weights.json": "per-frame expression weights", [resolve(opts.out)]: "animated asset" },
    timings: { trackMs: Math.round(tTrack), fitMs: Math.round(tFit) },
  });
  unlock();
  return {
    out: resolve(opts.out),
    runDir,
    frames: frames.length,
    framesWithFace: frames.length - faceless.length,
    meanRmsePx: rmse.reduce((a, b) => a + b, 0) / Math.max(rmse.length, 1),
    label: personalizedInfo?.label ?? "blendshape path",
  };
}
