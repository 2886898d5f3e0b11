// What `dreamface eval …` and `dreamface runs …` do; the command files only declare flags.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { intOption } from "../cli/options.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { resultsDir } from "../io/paths.js";
import { createNodeBackend } from "../models/backend-node.js";
import { requireFeature } from "../models/preflight.js";
import { readManifest, TINY_LABEL } from "../run/index.js";
import { findRuns, manifestDirs } from "./discover.js";
import { evaluateRun, type EvaluateResult } from "./evaluate.js";
import { indexRuns, INDEX_FILE, queryIndex } from "./index-runs.js";
import { kidBetween } from "./kid-between.js";
import { kidDir } from "./metrics-files.js";

const tag = (label: string | undefined) => (label ? ` [${label}]` : "");

/** The stage folders to evaluate: the folder itself when it holds a manifest, else its stage subfolders. */
export function stageDirs(runDir: string): string[] {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new UserError(`run folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new UserError(`not a folder: ${dir}`);
  if (readManifest(dir)) return [dir];
  const nested = manifestDirs(dir, 2).map((r) => r.dir);
  if (nested.length === 0) throw new UserError(`${dir} holds no run: expected a manifest.json in it or in its stage folders (geometry/, texture/, …)`);
  return nested;
}

export interface EvalFlags {
  profile?: string;
  template?: string;
  prompt?: string;
  images?: string;
  json?: boolean;
}

export async function evalCommand(runDir: string, flags: EvalFlags): Promise<void> {
  const dirs = stageDirs(runDir);
  const results: EvaluateResult[] = [];
  const skipped: string[] = [];
  const backends = new Map<string, Awaited<ReturnType<typeof createNodeBackend>>>();
  try {
    for (const dir of dirs) {
      const profile = flags.profile ?? readManifest(dir)!.profile;
      if (!backends.has(profile)) backends.set(profile, await createNodeBackend({ profile }));
      try {
        const backend = backends.get(profile)!;
        results.push(await evaluateRun(dir, { backend, template: flags.template, prompt: flags.prompt, images: flags.images }));
      } catch (error) {
        // Evaluating a whole run skips stages that have nothing to score (animation, unfinished).
        if (dirs.length > 1 && error instanceof UserError) skipped.push(`${dir}: ${error.message}`);
        else throw error;
      }
    }
  } finally {
    for (const b of backends.values()) await b.dispose();
  }
  if (results.length === 0) throw new UserError(`nothing evaluated in ${resolve(runDir)}:\n  ${skipped.join("\n  ")}`);
  if (flags.json) {
    console.log(JSON.stringify(results.map((r) => ({ dir: r.dir, path: r.path, ...r.metrics })), null, 2));
    return;
  }
  for (const r of results) {
    const m = r.metrics.metrics.clip_score!;
    const n = (m.values ?? []).length;
    console.log(`${r.dir}: CLIP score ${r.clipScore.toFixed(4)} over ${n} image${n === 1 ? "" : "s"} (${m.imageSource}), text "${m.text}"${tag(r.metrics.label)}`);
    console.log(`  wrote ${r.path}`);
  }
  for (const s of skipped) console.log(`skipped ${s}`);
  console.log("(`dreamface runs index` refreshes the index the report pages read)");
}

export interface KidFlags {
  subsets?: string;
  subsetSize?: string;
  seed?: string;
  profile?: string;
  out?: string;
  save?: boolean;
  json?: boolean;
}

/** The last three folder names, e.g. "texture_evaluation_views", so results of sibling folders stay readable. */
const shortName = (dir: string) => dir.split(/[\\/]/).filter(Boolean).slice(-3).join("_").replace(/[^A-Za-z0-9._-]/g, "-");

export async function kidCommand(dirA: string, dirB: string, flags: KidFlags): Promise<void> {
  const subsets = intOption("subsets", flags.subsets, 1) ?? 50;
  const subsetSize = intOption("subset-size", flags.subsetSize, 1);
  const seed = intOption("seed", flags.seed) ?? 0;
  const profile = flags.profile ?? "tiny";
  // Without a kid_features model KID is unavailable: say so and what to install, before reading any image.
  await requireFeature({ profile, id: "evaluation.kid" });
  const backend = await createNodeBackend({ profile });
  let report;
  try {
    report = await kidBetween(resolve(dirA), resolve(dirB), { backend, subsets, subsetSize, seed });
  } finally {
    await backend.dispose();
  }
  let saved: string | undefined;
  if (flags.save !== false) {
    const id = sha256(JSON.stringify([report.dirA, report.dirB, subsets, report.subsetSize, seed, report.profile])).slice(0, 8);
    saved = flags.out ? resolve(flags.out) : join(kidDir(resultsDir()), `${shortName(report.dirA)}-vs-${shortName(report.dirB)}-${id}.json`);
    writeJsonAtomic(saved, report);
  }
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`KID ${report.mean.toExponential(4)} ± ${report.std.toExponential(2)} (${subsets} subsets of ${report.subsetSize[0]}; ${report.countA} vs ${report.countB} PNGs, ${report.featureDim}-d features)${tag(report.label)}`);
  if (saved) console.log(`  wrote ${saved}`);
}

export async function indexCommand(): Promise<void> {
  const s = await indexRuns(resultsDir());
  console.log(`indexed ${s.runs} run stage(s), ${s.trajectoryRows} trajectory rows, ${s.metrics} metrics → ${s.path}`);
}

/** True when the index is missing or older than a manifest / metrics file it covers. */
function indexStale(path: string): boolean {
  if (!existsSync(path)) return true;
  const built = statSync(path).mtimeMs;
  for (const run of findRuns(resultsDir()))
    for (const f of ["manifest.json", "metrics.json", "trajectory.parquet", "trajectory.jsonl"]) {
      const p = join(run.dir, f);
      if (existsSync(p) && statSync(p).mtimeMs > built) return true;
    }
  return false;
}

export async function listCommand(flags: { json?: boolean; stage?: string; profile?: string }): Promise<void> {
  const path = join(resultsDir(), INDEX_FILE);
  if (!existsSync(join(resultsDir(), "runs"))) {
    // Nothing to index: say so without creating a results folder.
    console.log(flags.json ? "[]" : `no runs under ${join(resultsDir(), "runs")} (start one with \`dreamface generate "<prompt>"\`)`);
    return;
  }
  if (indexStale(path)) await indexRuns(resultsDir());
  const where: string[] = [];
  if (flags.stage) where.push(`r.stage = '${flags.stage.replaceAll("'", "''")}'`);
  if (flags.profile) where.push(`r.profile = '${flags.profile.replaceAll("'", "''")}'`);
  const rows = await queryIndex(
    path,
    `SELECT r.key, r.id, r.stage, r.profile, r.label, r.complete, r.steps, r.total_ms, r.prompt, CAST(r.created AS VARCHAR) AS created,
       (SELECT max(value) FROM metrics m WHERE m.key = r.key AND m.metric = 'clip_score') AS clip_score
     FROM runs r ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY r.key`,
  );
  if (flags.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log(`no runs under ${join(resultsDir(), "runs")} (start one with \`dreamface generate "<prompt>"\`)`);
    return;
  }
  const fmt = (r: Record<string, unknown>) => [
    `${r.key}${r.label ? " *" : ""}`,
    String(r.profile ?? "?"),
    r.complete === false ? `paused@${r.steps}` : r.complete === true ? "done" : "-",
    typeof r.total_ms === "number" ? `${(r.total_ms / 1000).toFixed(1)} s` : "-",
    typeof r.clip_score === "number" ? r.clip_score.toFixed(4) : "-",
    String(r.prompt ?? "").slice(0, 50),
  ];
  const table = [["run", "profile", "state", "time", "CLIP", "prompt"], ...rows.map(fmt)];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
  if (rows.some((r) => r.label === TINY_LABEL)) console.log(`* ${TINY_LABEL}`);
  else if (rows.some((r) => r.label)) console.log("* see the run's label");
}
