// The Reproduction page's payload (src/reproduction.md): the paper's Fig. 13 KID and Fig. 18
// CLIP/time tables beside ours, each with its protocol and hashes.
// - Fig. 13: the newest results/ablations/texture-ldm/<id>/kid.json (`dreamface ablate
//   texture-ldm`), with the sample grids (samples-<variant>.png) beside it.
// - Fig. 18: the newest sweep folder of the Fig. 18 sweep (experiments/clip-score-fig18.json),
//   summarised as mean ± 95% CI over seeds.
// The paper's values come from src/engine/evaluation/paper.ts, never from a file we wrote.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readJson } from "../evaluation/discover.js";
import { resultsDir } from "../io/paths.js";
import { publishable } from "../io/publish.js";
import { profileLabel } from "../run/manifest.js";
import { PAPER_FIG13_KID, PAPER_FIG18_CLIP } from "../../src/engine/evaluation/paper.js";
import { summarizeCells } from "../../src/engine/evaluation/sweep-summary.js";
import { sweepCells } from "../../src/engine/config/sweep.js";
import { cellDir, findSweepDirs, readCellRecords, readSweepFolder } from "../sweep/files.js";

export const FIG18_SWEEP = "clip-score-fig18";
const KID_VARIANTS = Object.keys(PAPER_FIG13_KID) as (keyof typeof PAPER_FIG13_KID)[];

interface MeanStd {
  mean: number;
  std: number;
}
export interface KidFile {
  protocol: Record<string, unknown>;
  variants: Record<string, { full: MeanStd; desired: MeanStd }>;
  paper?: Record<string, { full: number; desired: number }>;
}

const isMeanStd = (x: unknown): x is MeanStd => typeof (x as MeanStd)?.mean === "number" && typeof (x as MeanStd)?.std === "number";

/** Why a kid.json does not have the shape, or undefined when it does. */
export function kidFileProblem(k: unknown): string | undefined {
  const f = k as KidFile;
  if (!f || typeof f !== "object") return "not a JSON object";
  if (!f.protocol || typeof f.protocol !== "object") return "no protocol";
  if (!f.variants || typeof f.variants !== "object") return "no variants";
  for (const [v, r] of Object.entries(f.variants)) if (!isMeanStd(r?.full) || !isMeanStd(r?.desired)) return `variant ${v} lacks full/desired {mean, std}`;
  return undefined;
}

/** Every texture-LDM KID result, newest first (by the file's modification time). */
export function findKidFiles(results = resultsDir()): string[] {
  const root = join(results, "ablations", "texture-ldm");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((id) => join(root, id, "kid.json"))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || (a < b ? 1 : -1));
}

function fig13(results: string) {
  const skipped: string[] = [];
  for (const path of findKidFiles(results)) {
    const k = readJson(path);
    const problem = kidFileProblem(k);
    if (problem) {
      skipped.push(`${path}: ${problem}`);
      continue;
    }
    const file = k as KidFile;
    const dir = join(path, "..");
    const profile = typeof file.protocol.profile === "string" ? file.protocol.profile : null;
    const samples = Object.fromEntries(
      Object.keys(file.variants)
        .map((v) => [v, join(dir, `samples-${v}.png`)] as const)
        .filter(([, p]) => existsSync(p) && statSync(p).size < 2_000_000)
        .map(([v, p]) => [v, `data:image/png;base64,${readFileSync(p).toString("base64")}`]),
    );
    const rows = [...new Set([...KID_VARIANTS, ...Object.keys(file.variants)])].map((variant) => ({
      variant,
      ours: file.variants[variant] ?? null,
      paper: PAPER_FIG13_KID[variant as keyof typeof PAPER_FIG13_KID] ?? null,
    }));
    return { source: path, id: dir.split("/").at(-1), profile, label: profile ? (profileLabel(profile) ?? null) : null, protocol: file.protocol, rows, samples, skipped };
  }
  return { source: null, rows: KID_VARIANTS.map((variant) => ({ variant, ours: null, paper: PAPER_FIG13_KID[variant] })), skipped };
}

function fig18(results: string) {
  const dirs = findSweepDirs(results).filter((d) => readSweepFolder(d)!.sweep.name === FIG18_SWEEP);
  const withCells = dirs.map((d) => ({ dir: d, cells: readCellRecords(d) })).filter((x) => x.cells.length > 0);
  const paper = PAPER_FIG18_CLIP.map((r) => ({ ...r }));
  if (withCells.length === 0) return { source: null, paper, rows: [] };
  const newest = withCells.sort((a, b) => statSync(join(b.dir, "sweep.json")).mtimeMs - statSync(join(a.dir, "sweep.json")).mtimeMs)[0]!;
  const file = readSweepFolder(newest.dir)!;
  const total = sweepCells(file.sweep).length;
  // Model hashes as the first finished cell's texture stage recorded them.
  const first = newest.cells[0]!;
  const tm = readJson(join(cellDir(newest.dir, first.cell), "texture", "manifest.json")) as { modelHashes?: Record<string, string> } | undefined;
  const gm = readJson(join(cellDir(newest.dir, first.cell), "geometry", "manifest.json")) as { modelHashes?: Record<string, string> } | undefined;
  return {
    source: newest.dir,
    paper,
    rows: summarizeCells(newest.cells).map((r) => ({ ...r, clip: nanToNull(r.clip), seconds: nanToNull(r.seconds) })),
    protocol: {
      sweep: file.sweep.name,
      sha256: file.sha256,
      file: file.source,
      template: file.sweep.template,
      scoreTemplate: file.sweep.scoreTemplate,
      prompts: file.sweep.prompts,
      seeds: file.sweep.seeds,
      variants: file.sweep.variants,
      grid: file.sweep.grid,
      profile: file.sweep.profile,
      cellsDone: newest.cells.length,
      cellsTotal: total,
    },
    modelHashes: { ...(gm?.modelHashes ?? {}), ...(tm?.modelHashes ?? {}) },
    profile: file.sweep.profile,
    label: profileLabel(file.sweep.profile) ?? null,
  };
}

/** JSON has no NaN: an interval over one seed is null (shown as "n/a"). */
function nanToNull<T extends object>(x: T): Record<keyof T, number | null> {
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, Number.isFinite(v as number) ? v : null])) as Record<keyof T, number | null>;
}

export function reproductionPayload(results = resultsDir()) {
  return publishable({ fig13: fig13(results), fig18: fig18(results) }, { results });
}
