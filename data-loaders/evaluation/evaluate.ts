// evaluateRun(runDir, {backend}): the CLIP score of a run's final renders against its prompt
// (paper Sec. 7.3.6: the cosine of CLIP image and text features, averaged over the views),
// written to <run>/metrics.json beside the run's own outputs. Other metrics already in that
// file are kept. Deterministic: no sampling anywhere, same files → same bytes.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Backend } from "../../src/engine/models/backend.js";
import { clipScoreOfImages } from "../../src/engine/clip/scoreImages.js";
import { tokenize } from "../clip/merges.js";
import { UserError } from "../cli/errors.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { profileLabel, readManifest } from "../run/index.js";
import { runPrompt } from "./discover.js";
import { METRICS_FILE, type RunMetricsFile } from "./metrics-files.js";
import { runImages } from "./renders.js";

export interface EvaluateOptions {
  backend: Backend;
  /** Text scored against: "{prompt}" (default) or e.g. "the realistic face of {prompt}". */
  template?: string;
  /** Overrides the run's prompt (animation runs have none). */
  prompt?: string;
  /** Score these PNGs instead of the run's renders. */
  images?: string;
}

export interface EvaluateResult {
  dir: string;
  path: string;
  metrics: RunMetricsFile;
  clipScore: number;
}

export function applyTemplate(template: string, prompt: string): string {
  if (!template.includes("{prompt}")) throw new UserError(`--template must contain {prompt}, got ${JSON.stringify(template)}`);
  return template.replaceAll("{prompt}", prompt);
}

export async function evaluateRun(runDir: string, { backend, template = "{prompt}", prompt, images }: EvaluateOptions): Promise<EvaluateResult> {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new UserError(`run folder not found: ${dir}`);
  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`${dir} has no manifest.json: pass a stage folder such as results/runs/<id>/geometry`);
  const base = prompt ?? runPrompt(manifest);
  if (!base) throw new UserError(`${join(dir, "manifest.json")} names no prompt (a ${manifest.stage} run): pass --prompt "<text>"`);
  const text = applyTemplate(template, base);
  const found = await runImages(dir, manifest, images);
  const score = await clipScoreOfImages(backend, found.images, tokenize(text));
  const path = join(dir, METRICS_FILE);
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunMetricsFile) : undefined;
  const label = profileLabel(backend.profile);
  const hashes = backend.modelHashes();
  const metrics: RunMetricsFile = {
    kind: "dreamface-metrics",
    stage: manifest.stage,
    profile: backend.profile,
    ...(label ? { label } : {}),
    metrics: {
      ...(previous?.kind === "dreamface-metrics" ? previous.metrics : {}),
      clip_score: {
        value: score.mean,
        values: score.values,
        images: found.files,
        imageSource: found.source,
        text,
        template,
        modelHashes: { clip_image: hashes.clip_image, clip_text: hashes.clip_text },
        definition: "mean over images of cos(CLIP image features, CLIP text features) (paper Sec. 7.3.6)",
      },
    },
  };
  writeJsonAtomic(path, metrics);
  return { dir, path, metrics, clipScore: score.mean };
}
