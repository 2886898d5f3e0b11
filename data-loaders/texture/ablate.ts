// The texture ablation suite (paper Sec. 7.3.3, Fig. 15): the same geometry run textured by
// each variant — full, wo-texture (no texture LDM), wo-lt (image-space SDS only, no texture
// LDM) — then a comparison table: CLIP score of the textured face from the three ranking views
// against the prompt, and the optimization time. Writes <out>/<variant>/ (a texture run each),
// <out>/renders/<variant>-<view>.png and <out>/comparison.json.
import { join, relative } from "node:path";
import { UserError } from "../cli/errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { createRunDir, lockRunDir, profileLabel, readManifest, runLoop } from "../run/index.js";
import { StepList, type StepRow } from "../../src/engine/run/resumable.js";
import { createNodeBackend } from "../models/backend-node.js";
import { preflight } from "../models/preflight.js";
import { formatCapabilityTable } from "../../src/engine/models/capabilities.js";
import { tokenize } from "../clip/merges.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { clipScoreOfImages } from "../../src/engine/clip/scoreImages.js";
import { directionalLight, rankingViews } from "../../src/engine/raster/camera.js";
import { render } from "../../src/engine/raster/render.js";
import { TEXTURE_VARIANTS, variantPlan, type TextureVariant } from "../../src/engine/stages/texture/config.js";
import { encodePng8, readPng } from "../io/png.js";
import { geometryDir, readGeometryRun, type GeometryInput } from "./geometry-input.js";
import { runTextureStage } from "./run.js";

export interface AblateOptions {
  runDir?: string;
  /** Or the geometry itself (the page demo uses the ICT mean face). */
  geometry?: GeometryInput;
  variants?: readonly string[];
  out?: string;
  profile?: string;
  experiment?: string;
  /** Partial texture section for every variant (step counts, map size). */
  overrides?: Record<string, unknown>;
  backend?: Backend;
  quiet?: boolean;
  /** Stop after this many variants in this process (a simulated kill). */
  stopAfter?: number;
}

export interface AblationRow {
  variant: TextureVariant;
  clipScore: number;
  clipScores: number[];
  optimizeSeconds: number;
  latentSteps: number;
  imageSteps: number;
  dir: string;
}

const VIEW_NAMES = ["front", "left", "right"];
const RENDER_SIZE = 224;

export function parseVariants(list: readonly string[] | undefined): TextureVariant[] {
  const names = (list ?? TEXTURE_VARIANTS).map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError("--variants is empty");
  for (const v of names) if (!TEXTURE_VARIANTS.includes(v as TextureVariant)) throw new UserError(`unknown variant "${v}" (expected ${TEXTURE_VARIANTS.join(", ")})`);
  return [...new Set(names)] as TextureVariant[];
}

export async function runAblation(opts: AblateOptions): Promise<{ dir: string; rows: AblationRow[]; label?: string; complete: boolean }> {
  const variants = parseVariants(opts.variants);
  if (!opts.geometry && !opts.runDir) throw new UserError("the ablation needs a geometry run folder");
  const geo = opts.geometry ?? (await readGeometryRun(geometryDir(opts.runDir!)));
  const gdir = geo.dir;
  const profile = opts.profile ?? geo.profile;
  // One probe of the models for every variant, before any folder (each variant's manifest records it).
  const capabilities = await preflight({ profile, stages: ["texture"] });
  if (!opts.quiet) console.log(formatCapabilityTable(capabilities));
  const dir = createRunDir({ stage: "texture-ablation", outDir: opts.out ?? join(gdir, "..", "texture-ablation") });
  const unlock = lockRunDir(dir);
  const backend = opts.backend ?? (await createNodeBackend({ profile }));
  const label = profileLabel(profile);
  try {
    const ids = tokenize(geo.prompt);
    // One step per variant through the stage loop: a killed ablation resumes at the variant it
    // was in (whose texture run resumes from its own checkpoint) and rewrites nothing done.
    const runVariant = async (variant: TextureVariant): Promise<StepRow> => {
      // Ablations compare the optimized latent; 4096² maps per variant would only cost time.
      const overrides = { pbr: { size: 512, glbTextureSize: 512 }, ...opts.overrides, variant };
      const run = await runTextureStage({ geometry: geo, profile, experiment: opts.experiment, overrides, out: join(dir, variant), backend, capabilities, quiet: opts.quiet });
      if (!run.complete) throw new Error(`variant ${variant} did not finish`);
      const diffuse = readPng(join(run.dir, "diffuse.png"));
      const images = rankingViews().map((camera) =>
        render(geo.scene, {
          camera,
          width: RENDER_SIZE,
          height: RENDER_SIZE,
          texture: { data: diffuse.data, width: diffuse.width, height: diffuse.height, channels: 3 },
          normalMap: geo.detailNormalMap,
          light: directionalLight(0, 10),
          background: [1, 1, 1],
        }).image,
      );
      images.forEach((img, k) => writeFileAtomic(join(dir, "renders", `${variant}-${VIEW_NAMES[k]}.png`), encodePng8(img, RENDER_SIZE, RENDER_SIZE, 3, label)));
      const score = await clipScoreOfImages(backend, images.map((data) => ({ data, width: RENDER_SIZE, height: RENDER_SIZE, channels: 3 })), ids);
      const plan = variantPlan(run.config);
      return { clipScore: score.mean, clipScores: JSON.stringify(score.values), latentSteps: plan.latentSteps, imageSteps: plan.imageSteps, dir: relative(dir, run.dir) };
    };
    const loop = await runLoop(new StepList(variants, runVariant, "variant"), { dir, label: "ablation", trajectory: "variants", checkpointEvery: 1, quiet: true, stopAfter: opts.stopAfter });
    if (!loop.complete) return { dir, rows: [], label, complete: false };
    // Rows are deterministic; each variant's optimization time comes from its run's manifest.
    const rows: AblationRow[] = loop.log.rows().map((r) => {
      const runDir = join(dir, String(r.dir));
      return {
        variant: r.variant as TextureVariant,
        clipScore: Number(r.clipScore),
        clipScores: JSON.parse(String(r.clipScores)) as number[],
        optimizeSeconds: Number((readManifest(runDir)?.timings as Record<string, number> | undefined)?.optimize ?? 0) / 1000,
        latentSteps: Number(r.latentSteps),
        imageSteps: Number(r.imageSteps),
        dir: runDir,
      };
    });
    writeJsonAtomic(join(dir, "comparison.json"), {
      prompt: geo.prompt,
      geometry: gdir,
      profile,
      label,
      substitutions: capabilities.substitutions,
      note: "CLIP score = mean cosine of CLIP image features of the textured face (front, ±45° views, frontal light) and the prompt's text features; time = optimization wall time of the variant's run (timings vary with machine load).",
      rows,
    });
    if (!opts.quiet) {
      console.log(`ablation${label ? ` [${label}]` : ""}: ${dir}`);
      for (const r of rows) console.log(`  ${r.variant.padEnd(11)} CLIP ${r.clipScore.toFixed(4)}  time ${r.optimizeSeconds.toFixed(1)} s  (${r.latentSteps} latent + ${r.imageSteps} image steps)`);
    }
    return { dir, rows, label, complete: true };
  } finally {
    if (!opts.backend) await backend.dispose();
    unlock();
  }
}
