// The texture stage in Node (paper Sec. 5): latent-space then image-space dual-path SDS on
// the texture latent z, then the PBR maps at full size and the textured .glb, all into one
// folder. Resumable (data-loaders/run/loop.ts): a killed run restarts from its newest
// checkpoint and writes the same files as an uninterrupted one (per-phase times are in the
// manifest, never in the trajectory).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ModelMissingError, UserError } from "../cli/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { claimRunDir, createRunDir, profileLabel, progress, readManifest, runLoop, writeManifest } from "../run/index.js";
import { createNodeBackend } from "../models/backend-node.js";
import { stageCapabilities, substitutionIdentity } from "../models/preflight.js";
import { capability, runsExactly, type CapabilityTable } from "../../src/engine/models/capabilities.js";
import { skinSpecularPrior } from "../../src/engine/stages/texture/specular-prior.js";
import { tokenize } from "../clip/merges.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { texturePromptText, variantPlan, type TextureConfig } from "../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../src/engine/stages/texture/guidance.js";
import { latentPreview } from "../../src/engine/stages/texture/linear-rgb.js";
import { TextureOptimizer } from "../../src/engine/stages/texture/optimizer.js";
import { pbrMaps, pbrPlan, type PbrReport } from "../../src/engine/stages/texture/pbr.js";
import { resample } from "../../src/engine/stages/texture/resample.js";
import { createTextureScene } from "../../src/engine/stages/texture/scene.js";
import type { TextureModels } from "../../src/engine/stages/texture/seams.js";
import type { Resumable } from "../../src/engine/run/resumable.js";
import { texturedGlb } from "./asset.js";
import { defaultTextureDir, geometryDir, readGeometryRun, type GeometryInput } from "./geometry-input.js";
import { encodePng16, encodePng8 } from "../io/png.js";
import { loadExperiment } from "../run/experiment.js";
import { createStageRenderer, renderThreads } from "../raster/render-workers.js";
import type { ParallelRenderer } from "../../src/engine/raster/parallel.js";

const SNAPSHOT_SIZE = 256;
const PREVIEW_SIZE = 512;
const FINAL_FILES = ["latent.f32", "diffuse.png", "specular.png", "normal.png", "asset.glb", "trajectory.parquet"];

export interface TextureStageOptions {
  /** A geometry run folder (or a run folder holding geometry/). */
  runDir?: string;
  /** Or the geometry itself (page demos texture the mean face without running geometry). */
  geometry?: GeometryInput;
  /** Default: the geometry run's profile. */
  profile?: string;
  /** Experiment JSON file; its texture section (and seed) apply. Default: the geometry run's config. */
  experiment?: string;
  /** Partial texture section merged over the experiment's (tests, the ablation suite). */
  overrides?: Record<string, unknown>;
  out?: string;
  /** Stop after this many optimization steps in this process (tests use it to simulate a kill). */
  stopAfter?: number;
  /** Render threads (default DREAMFACE_THREADS, else the machine's cores); the bytes do not depend on it. */
  threads?: number;
  backend?: Backend;
  /** What the profile can do (generate and the ablation compute it once); default: probed here and printed. */
  capabilities?: CapabilityTable;
  quiet?: boolean;
  /** `dreamface serve`: wraps the optimizer to stream rows, pause and steer its config between steps (data-loaders/live/job.ts). */
  live?: (optimizer: TextureOptimizer, models: TextureModels) => Resumable;
}

export interface TextureStageResult {
  dir: string;
  label?: string;
  complete: boolean;
  stepsDone: number;
  files: Record<string, string>;
  timings: Record<string, number>;
  config: TextureConfig;
  prompt: string;
}

/** Roles of the texture LDM (no public weights). */
const TEXTURE_LDM_ROLES = ["texture_unet", "texture_domain_tokens"];

/** Side of the skin specular prior before it is resampled to the map size (it is a smooth region map). */
const SPECULAR_PRIOR_SIZE = 1024;

/**
 * The texture config the capability table allows: without the texture LDM, "full" becomes the
 * paper's "w/o texture" variant (said in one line); asking for exact VAE gradients the profile
 * cannot give is the user's error, not a silent approximation.
 */
export function honourCapabilities(config: TextureConfig, capabilities: CapabilityTable, profile: string): { config: TextureConfig; variantNote?: string } {
  if (config.vaeGradient === "exact" && !runsExactly(capabilities, "texture.vae-vjp"))
    throw new UserError(`texture.vaeGradient is "exact" but the ${profile} profile has no vae_encoder_vjp / vae_decoder_vjp graphs and cannot derive them (their sources are missing)`);
  if (config.variant !== "full" || runsExactly(capabilities, "texture.ldm")) return { config };
  const ldm = capability(capabilities, "texture.ldm");
  return {
    config: { ...config, variant: "wo-texture" },
    variantNote: `the ${profile} profile has no texture LDM (${ldm.missing.join(", ")} missing): running the paper's "w/o texture" variant (generic LDM only) instead of "full"`,
  };
}


export async function runTextureStage(opts: TextureStageOptions): Promise<TextureStageResult> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  let t = performance.now();
  if (!opts.geometry && !opts.runDir) throw new UserError("the texture stage needs a geometry run folder");
  const geo = opts.geometry ?? (await readGeometryRun(geometryDir(opts.runDir!)));
  const gdir = geo.dir;
  lap("loadGeometry", t);
  // The texture section: experiment file > the geometry run's recorded config > defaults, then overrides.
  const g = geo.manifest.config && typeof geo.manifest.config === "object" ? (geo.manifest.config as Record<string, unknown>) : undefined;
  const exp = loadExperiment(opts.experiment, { texture: opts.overrides, base: g && { name: g.name, seed: g.seed, profile: g.profile, texture: g.texture } });
  const profile = opts.profile ?? geo.profile;
  if (profile !== geo.profile && !opts.quiet) console.warn(`note: geometry ran with the ${geo.profile} profile, texture runs with ${profile}`);
  // Which models exist decides what runs: before any folder or step.
  const capabilities = await stageCapabilities("texture", profile, opts);
  const { config, variantNote } = honourCapabilities(exp.texture, capabilities, profile);
  if (variantNote && !opts.quiet) console.log(`note: ${variantNote}`);
  // The asset's seed is the geometry run's (generate --seed reaches both stages that way).
  const seed = geo.seed;
  const threads = renderThreads(opts.threads); // a bad DREAMFACE_THREADS stops the run before any work
  const dir = createRunDir({ stage: "texture", outDir: opts.out ?? defaultTextureDir(gdir) });
  const label = profileLabel(profile);
  const plan = variantPlan(config);

  const identity = JSON.stringify({ geometry: gdir, prompt: geo.prompt, seed, profile, texture: config, ...substitutionIdentity(capabilities) });
  const unlock = claimRunDir(dir, identity, "texture", "geometry, seed, profile or config");

  const backend = opts.backend ?? (await createNodeBackend({ profile }));
  let renderer: ParallelRenderer | undefined;
  try {
    t = performance.now();
    const models = await createTextureModels(
      backend,
      { prompt: tokenize(geo.prompt), empty: tokenize(""), texturePrompt: tokenize(texturePromptText(geo.prompt, config)) },
      { textureNegative: config.textureNegative, latentSize: 64, vaeGradient: config.vaeGradient === "auto" ? (runsExactly(capabilities, "texture.vae-vjp") ? "exact" : "linear-approx") : config.vaeGradient, texturePath: plan.texturePath },
    ).catch((error: unknown) => {
      // The texture LDM has no public weights: say what still runs without it.
      if (error instanceof ModelMissingError && TEXTURE_LDM_ROLES.includes(error.role))
        throw new ModelMissingError(error.role, `${error.message}; without the texture LDM, --variant wo-texture runs the generic path only`);
      throw error;
    });
    renderer = await createStageRenderer(threads, config.renderBands);
    const scene = createTextureScene(geo.scene, { azimuthRange: config.azimuthRange, renderer });
    const optimizer = new TextureOptimizer({ config, models, scene, seed });
    lap("setup", t);

    const total = optimizer.total;
    const previous = readManifest(dir);
    if (previous?.complete === true && previous.stepsDone === total && FINAL_FILES.every((f) => existsSync(join(dir, f)))) {
      // Finished earlier: the PBR tail is deterministic, so there is nothing to redo.
      if (!opts.quiet) console.log(`texture stage already complete: ${dir}${label ? ` [${label}]` : ""}`);
      return { dir, label, complete: true, stepsDone: total, files: (previous.outputs ?? {}) as Record<string, string>, timings: (previous.timings ?? {}) as Record<string, number>, config, prompt: geo.prompt };
    }
    const writeSnapshot = async (step: number) => {
      // Snapshots show the face tile (the paper's z); asset.glb and the maps carry every tile.
      const name = `step-${String(step).padStart(4, "0")}`;
      writeFileAtomic(join(dir, "snapshots", `${name}-latent.png`), encodePng8(latentPreview(optimizer.tile(0)), 64, 64, 3, label));
      const diffuse = await models.decode(optimizer.tile(0));
      const side = Math.round(Math.sqrt(diffuse.length / 3));
      // 256² is plenty to watch the optimization and keeps a 400-step run's snapshots small.
      const s = Math.min(side, SNAPSHOT_SIZE);
      writeFileAtomic(join(dir, "snapshots", `${name}-diffuse.png`), encodePng8(s === side ? diffuse : resample(diffuse, side, side, 3, s, s, "lanczos3"), s, s, 3, label));
    };
    t = performance.now();
    const { log } = await runLoop(opts.live ? opts.live(optimizer, models) : optimizer, {
      dir,
      label: `texture (${config.variant})`,
      checkpointEvery: config.checkpointEvery,
      snapshotEvery: config.snapshotEvery,
      snapshotAt: [plan.latentSteps],
      snapshot: writeSnapshot,
      stopAfter: opts.stopAfter,
      quiet: opts.quiet,
      progressInfo: (row) => ({ stage: String(row.stage), t: Number(row.t) }),
    });
    lap("optimize", t);
    const complete = optimizer.done;
    const files: Record<string, string> = {
      "trajectory.jsonl": "per step: stage, t, λ_g, λ_τ, lr, both paths' SDS losses and gradient norms, view parameters",
      "snapshots/": "latent (linear latent→RGB preview, labelled approximation) and decoded diffuse (256²) every snapshotEvery steps",
      "run-config.json": "the settings this folder's run was started with",
    };
    let pbr: PbrReport | undefined;
    if (complete) {
      t = performance.now();
      const latent = new Uint8Array(optimizer.z.buffer.slice(0));
      writeFileAtomic(join(dir, "latent.f32"), latent);
      // The raw floats cannot carry text; their sidecar names the shape, the hash and the profile label.
      writeJsonAtomic(join(dir, "latent.json"), { format: "float32-le", layout: "tiles × 64·64·4, channels-last", tiles: scene.tiles, bytes: latent.byteLength, sha256: sha256(latent), ...(label ? { label } : {}) });
      log.toParquet(join(dir, "trajectory.parquet"));
      const glbSize = Math.min(config.pbr.glbTextureSize, config.pbr.size);
      const glbPngs: Record<string, Uint8Array> = {};
      const bars = progress("PBR maps", 3, { quiet: opts.quiet });
      pbr = await pbrMaps(
        backend,
        optimizer.z,
        {
          size: config.pbr.size,
          resampler: config.pbr.resampler,
          normalBlend: config.pbr.normalBlend,
          detailNormalMap: geo.detailNormalMap,
          tiles: scene.tiles,
          plan: pbrPlan(capabilities, () => skinSpecularPrior(geo.model, geo.split, Math.min(SPECULAR_PRIOR_SIZE, config.pbr.size))),
        },
        (kind, data, width, height) => {
          // Atlases: `tiles` square tiles side by side (face | head and neck), so widths are tiles × heights.
          const ts = performance.now();
          const n = width / height;
          writeFileAtomic(join(dir, `${kind}.png`), kind === "diffuse" ? encodePng8(data, width, height, 3, label) : encodePng16(data, width, height, 3, label));
          const small = height === glbSize ? data : resample(data, width, height, 3, glbSize * n, glbSize, config.pbr.resampler);
          glbPngs[kind] = encodePng8(small, glbSize * n, glbSize);
          // Pages show the maps reduced; a preview saves them decoding 4096² PNGs.
          const p = Math.min(PREVIEW_SIZE, glbSize);
          writeFileAtomic(join(dir, "previews", `${kind}.png`), encodePng8(p === glbSize ? small : resample(small, glbSize * n, glbSize, 3, p * n, p, "lanczos3"), p * n, p, 3, label));
          timings[`png_${kind}`] = Math.round(performance.now() - ts);
          bars.tick(1, { map: kind });
        },
      );
      bars.stop();
      lap("pbr", t);
      t = performance.now();
      const extras = {
        generator: "DreamFace Workbench texture stage",
        prompt: geo.prompt,
        profile,
        variant: config.variant,
        ...(label ? { label } : {}),
        upscaling: pbr.upscaling,
        glbTextureSize: glbSize,
        ...(capabilities.substitutions.length ? { substitutes: capabilities.substitutions } : {}),
      };
      writeFileAtomic(join(dir, "asset.glb"), texturedGlb({ model: geo.model, split: geo.split, positions: geo.positions, diffusePng: glbPngs.diffuse!, specularPng: glbPngs.specular!, normalPng: glbPngs.normal!, extras }));
      lap("glb", t);
      Object.assign(files, {
        "latent.f32": `final texture latents z^H, float32 [${scene.tiles}×64*64*4] channels-last (UNet space): the face tile, then the head-and-neck tile`,
        "latent.json": "header of latent.f32 (layout, bytes, sha256, profile label)",
        "trajectory.parquet": "the trajectory as Parquet",
        "diffuse.png": `diffuse atlas ${config.pbr.size * scene.tiles}×${config.pbr.size} (face | head and neck tiles), 8-bit sRGB (${pbr.upscaling})`,
        "specular.png": `specular atlas ${config.pbr.size * scene.tiles}×${config.pbr.size}, 16-bit (${pbr.specular})`,
        "normal.png": `tangent-space normal atlas ${config.pbr.size * scene.tiles}×${config.pbr.size}, 16-bit, ${pbr.normalBlend}`,
        "asset.glb": `carved face T†, 53 expression morph targets, PBR material with the atlases at ${glbSize * scene.tiles}×${glbSize} (UVs in [0, 1]²)`,
        "previews/": `the three atlases at ${Math.min(PREVIEW_SIZE, glbSize) * scene.tiles}×${Math.min(PREVIEW_SIZE, glbSize)}, 8-bit, for pages`,
      });
    }
    timings.total = Math.round(performance.now() - t0);
    writeManifest(dir, {
      stage: "texture",
      config: { ...exp, texture: config },
      seeds: { experiment: seed },
      profile,
      label,
      modelHashes: backend.modelHashes(),
      capabilities,
      ...(variantNote ? { variantNote } : {}),
      timings,
      renderer: { threads: renderer.threads, bands: renderer.bands },
      inputs: { geometry: gdir, prompt: geo.prompt, texturePrompt: texturePromptText(geo.prompt, config), experiment: opts.experiment ?? null },
      outputs: files,
      complete,
      stepsDone: optimizer.step,
      plan,
      vaeGradient:
        models.vaeGradient === "exact"
          ? capability(capabilities, "texture.vae-vjp").status === "derived"
            ? "exact VJP graphs derived from the public VAE by autodiff"
            : "exact VJP graphs"
          : "linear latent↔RGB approximation (published SD factors and their pseudo-inverse) — labelled approximation",
      latentPreview: "snapshots/*-latent.png use the published linear latent→RGB factors (an approximation, not the VAE decoder)",
      ...(pbr ? { pbr } : {}),
    });
    if (!opts.quiet) console.log(`${complete ? "texture stage done" : `texture stage paused at step ${optimizer.step}/${total}`}: ${dir}${label ? ` [${label}]` : ""}`);
    return { dir, label, complete, stepsDone: optimizer.step, files, timings, config, prompt: geo.prompt };
  } finally {
    await renderer?.close();
    if (!opts.backend) await backend.dispose();
    unlock();
  }
}
