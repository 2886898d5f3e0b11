// `dreamface generate`: every stage into one run folder (<run>/geometry, <run>/texture) and
// one top-level manifest that points at the finished asset and each stage's own manifest.
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { resultsDir } from "../io/paths.js";
import { lockRunDir, newRunId, readManifest, writeManifest } from "../run/index.js";
import { runGeometryStage, type GeometryStageOptions } from "../geometry/run.js";
import { loadExperiment } from "../run/experiment.js";
import { applyTemplate, evaluateRun } from "../evaluation/evaluate.js";
import { createNodeBackend } from "../models/backend-node.js";
import { runTextureStage } from "../texture/run.js";
import { preflight } from "../models/preflight.js";
import { formatCapabilityTable, type PipelineStage } from "../../src/engine/models/capabilities.js";

/** The pipeline in order; `generate` runs the stages that need only a prompt. */
const PIPELINE: readonly PipelineStage[] = ["geometry", "texture", "animation"];
const RUNS: readonly PipelineStage[] = ["geometry", "texture"];

export interface GenerateOptions extends Omit<GeometryStageOptions, "out"> {
  /** Run folder; default results/runs/<timestamp>. */
  out?: string;
  /** Text the final renders are scored against: "{prompt}" (default) or the paper's "the realistic face of {prompt}". */
  template?: string;
}

export interface GenerateResult {
  dir: string;
  ran: string[];
  /** The pipeline's stages this command did not run (animation needs a performance to follow). */
  notRun: string[];
  label?: string;
  /** The finished asset (.glb with PBR maps and the 53 expression targets), relative to `dir`. */
  asset: string;
  /** CLIP score of the final renders (`dreamface eval` on the texture stage), and its metrics file relative to `dir`. */
  clipScore: number;
  metrics: string;
  /** The text scored against (the template applied to the prompt). */
  scoredText: string;
}

export async function runGenerate(opts: GenerateOptions): Promise<GenerateResult> {
  const dir = opts.out ? resolve(opts.out) : join(resultsDir(), "runs", newRunId());
  // One probe of the models for every stage, printed before any work; each stage honours it.
  // A bad --template is an error before any work, not after the texture stage.
  if (opts.template !== undefined) applyTemplate(opts.template, "");
  const exp = loadExperiment(opts.experiment, { profile: opts.profile, steps: opts.steps, seed: opts.seed });
  const { profile } = exp;
  const capabilities = opts.capabilities ?? (await preflight({ profile, stages: RUNS }));
  if (!opts.capabilities && !opts.quiet) console.log(formatCapabilityTable(capabilities));
  const t0 = performance.now();
  // Without --pool the geometry stage ranks the profile's default pool (tiny 64, sd15 10k), built
  // once into the user cache and resumable.
  const pool = opts.pool;
  // One generate per run folder (the stages lock their own folders too); an error leaves the lock to process exit.
  const unlock = lockRunDir(dir);
  const geometry = await runGeometryStage({ ...opts, pool, capabilities, out: join(dir, "geometry") });
  if (!geometry.complete) throw new UserError(`the geometry stage stopped at step ${geometry.stepsDone}: rerun the same command to resume`);
  const t1 = performance.now();
  const texture = await runTextureStage({
    runDir: geometry.dir,
    profile: opts.profile,
    experiment: opts.experiment,
    out: join(dir, "texture"),
    backend: opts.backend,
    capabilities,
    quiet: opts.quiet,
    threads: opts.threads,
  });
  if (!texture.complete) throw new UserError(`the texture stage stopped at step ${texture.stepsDone}: rerun the same command to resume`);
  const t2 = performance.now();

  // Score the run as `dreamface eval <run>/texture` does: CLIP score of the final renders.
  const template = opts.template ?? "{prompt}";
  const evalBackend = opts.backend ?? (await createNodeBackend({ profile }));
  let scored;
  try {
    scored = await evaluateRun(texture.dir, { backend: evalBackend, template });
  } finally {
    if (!opts.backend) await evalBackend.dispose();
  }
  const clip = scored.metrics.metrics.clip_score!;
  if (!opts.quiet)
    console.log(`CLIP score ${scored.clipScore.toFixed(4)} over ${(clip.values ?? []).length} ${clip.imageSource} view(s), text "${String(clip.text)}"${scored.metrics.label ? ` [${scored.metrics.label}]` : ""}`);
  const t3 = performance.now();

  const rel = (path: string) => relative(dir, path);
  const outputs: Record<string, string> = {};
  const describe: [string, string][] = [
    ["texture/asset.glb", "the asset: carved mesh, 53 expression morph targets, diffuse/specular/normal maps"],
    ["texture/diffuse.png", "diffuse map (sRGB, 8-bit)"],
    ["texture/specular.png", "specular map (16-bit)"],
    ["texture/normal.png", "tangent-space normal map (16-bit, decoded ⊕ N_d)"],
    ["geometry/carved.glb", "carved geometry T† (untextured)"],
    ["geometry/hair.glb", "selected hairstyle and colour"],
    ["geometry/manifest.json", "geometry stage manifest"],
    ["texture/manifest.json", "texture stage manifest"],
    ["texture/metrics.json", "CLIP score of the final renders (dreamface eval)"],
  ];
  for (const [file, what] of describe) if (existsSync(join(dir, file))) outputs[file] = what;
  const geometryManifest = readManifest(geometry.dir);
  writeManifest(dir, {
    stage: "generate",
    prompt: texture.prompt,
    profile: geometryManifest?.profile ?? profile,
    label: texture.label ?? geometry.label,
    capabilities,
    config: { geometry: rel(join(geometry.dir, "manifest.json")), texture: rel(join(texture.dir, "manifest.json")) },
    seeds: geometryManifest?.seeds ?? {},
    stages: { geometry: rel(geometry.dir), texture: rel(texture.dir) },
    timings: { geometry: Math.round(t1 - t0), texture: Math.round(t2 - t1), evaluation: Math.round(t3 - t2), total: Math.round(t3 - t0) },
    outputs,
    metrics: { clip_score: scored.clipScore, text: clip.text, template, file: rel(scored.path) },
  });
  const ran = [...RUNS];
  unlock();
  return {
    dir,
    ran,
    notRun: PIPELINE.filter((s) => !ran.includes(s)),
    label: texture.label ?? geometry.label,
    asset: "texture/asset.glb",
    clipScore: scored.clipScore,
    metrics: rel(scored.path),
    scoredText: String(clip.text),
  };
}
