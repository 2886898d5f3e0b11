// Expression recovery through the real tracker path: ICT posed with known sparse weights
// (held-out identities, several yaws and lights; data-loaders/animation/tracking-eval.ts),
// rendered, tracked by MediaPipe in headless Chromium, fitted. Reports per-weight mean absolute
// error, the error on driven weights and the largest spurious weight (gaze excluded), for
// sequences (neutral first frame as reference), streams (in order, no neutral reference: the
// CLI's default) and single frames. Peer, same run and frames:
// the geometric-correspondence basis without the calibration (the fit before issue 16).
//
// TRACKING_BENCH_LANDMARKS=FILE reuses (or, when absent, stores) the tracked landmarks, to
// iterate on the fit without re-running MediaPipe; the reported run tracks afresh.
// TRACKING_BENCH_SET=tuning runs the TUNING set instead (other identities, yaws, lights and
// combinations; what the fit's priors were chosen on), written to results/bench/tracking-tuning.json;
// the evaluation set is never tuned on. TRACKING_BENCH_HEAD=full renders the same sets with the
// full head (eyeballs, teeth, gums and tongue, eyelashes; synthetic.ts) instead of the face
// region, written to results/bench/tracking-full-head.json (tracking-tuning-full-head.json).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { tmpdir, loadavg } from "node:os";
import { loadFaceModel } from "../data-loaders/face/load.js";
import { loadCorrespondence } from "../data-loaders/animation/correspondence.js";
import { loadCalibration } from "../data-loaders/animation/calibration.js";
import { evaluationSet, recoverSequence, tuningSet, type EvalMode } from "../data-loaders/animation/tracking-eval.js";
import type { SequenceOptions } from "../src/engine/stages/animation/sequence.js";
import { writePoses } from "../data-loaders/animation/synthetic.js";
import { trackImages, type TrackedFrame } from "../data-loaders/animation/track.js";
import { landmarkBasis, type LandmarkBasis } from "../src/engine/stages/animation/correspondence.js";
import { calibratedBasis } from "../src/engine/stages/animation/calibration.js";
import { median, scoreFrame, type FrameScore } from "../src/engine/stages/animation/score.js";
import { report } from "./lib.js";
import { writeJsonAtomic } from "../data-loaders/io/atomic.js";
import { TRACKING_DEMO_FILE } from "../data-loaders/animation/tracking-eval.js";

const model = await loadFaceModel();
const tuning = process.env.TRACKING_BENCH_SET === "tuning";
const fullHead = process.env.TRACKING_BENCH_HEAD === "full";
if (process.env.TRACKING_BENCH_HEAD && !fullHead) throw new Error(`TRACKING_BENCH_HEAD must be "full" (or unset), got ${process.env.TRACKING_BENCH_HEAD}`);
const sequences = (tuning ? tuningSet(model) : evaluationSet(model)).map((s) => (fullHead ? { ...s, poses: s.poses.map((p) => ({ ...p, head: "full" as const })) } : s));
const load0 = loadavg()[0];

const cacheFile = process.env.TRACKING_BENCH_LANDMARKS;
let tracked: TrackedFrame[][];
let trackSeconds = 0;
if (cacheFile && existsSync(cacheFile)) {
  const raw = JSON.parse(readFileSync(cacheFile, "utf8")) as (Omit<TrackedFrame, "landmarks"> & { landmarks: number[] | null })[][];
  tracked = raw.map((s) => s.map((f) => ({ ...f, landmarks: f.landmarks ? Float32Array.from(f.landmarks) : null })));
} else {
  const dir = join(tmpdir(), `dreamface-tracking-bench-${process.pid}`);
  const t0 = performance.now();
  try {
    tracked = [];
    for (const [k, s] of sequences.entries()) tracked.push(await trackImages(writePoses(model, s.poses, join(dir, String(k)))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  trackSeconds = (performance.now() - t0) / 1000;
  if (cacheFile) writeFileSync(cacheFile, JSON.stringify(tracked.map((s) => s.map((f) => ({ ...f, landmarks: f.landmarks && Array.from(f.landmarks) })))));
}
const missed = tracked.flat().filter((f) => !f.landmarks).length;
if (missed) throw new Error(`MediaPipe found no face in ${missed} evaluation frames`);

const calibration = loadCalibration();
if (!calibration) throw new Error("no tracker calibration: run npx tsx data-loaders/animation/build-calibration.ts");
// TRACKING_BENCH_COMPARE=A.json,B.json adds a row per other calibration (its .bin beside it,
// e.g. build-calibration.ts --head full --out A.json), fitted on the same frames in the same run.
const compareFiles = process.env.TRACKING_BENCH_COMPARE ? process.env.TRACKING_BENCH_COMPARE.split(",") : [];
const compared = compareFiles.map((file) => {
  const c = loadCalibration(file);
  if (!c) throw new Error(`TRACKING_BENCH_COMPARE: no calibration at ${file} (+ .bin)`);
  return { file, c };
});
const corr = loadCorrespondence();
const geometric = landmarkBasis(model, corr, undefined, 30);
const calibrated = calibratedBasis(geometric, calibration);
// Rows: ours (render camera's focal length given), then ablations of one piece each, then the
// peer (the geometric correspondence, no calibration; the fit before issue 16).
const rows: Record<string, { basis: LandmarkBasis; options?: SequenceOptions }> = {
  calibrated: { basis: calibrated },
  "calibrated, focal estimated": { basis: calibrated, options: { focal: "estimate" } },
  "calibrated, identity from 1 frame": { basis: calibrated, options: { identityFrames: 1 } },
  "calibrated, weak perspective": { basis: calibrated, options: { focal: undefined } },
  "calibrated, noise model": { basis: calibrated, options: { noise: true } },
  geometric: { basis: geometric },
  ...Object.fromEntries(compared.map(({ file, c }) => [`calibrated with ${basename(file)} (v${c.version})`, { basis: calibratedBasis(geometric, c) }])),
};
const names = model.expressionNames;

interface Summary {
  drivenMedian: number; drivenMax: number; spuriousMedian: number; spuriousMax: number; meanAbs: number;
  framesWithinTargets: string; perWeightMAE: Record<string, number>;
}
function summarize(scores: FrameScore[], truths: Float32Array[], recovered: Float32Array[], tolerance: number): Summary {
  const driven = scores.flatMap((s) => Object.values(s.driven));
  const spurious = scores.map((s) => s.spurious.value);
  const within = scores.filter((s) => Object.values(s.driven).every((e) => e <= tolerance) && s.spurious.value <= 0.2).length;
  const perWeightMAE: Record<string, number> = {};
  names.forEach((n, j) => {
    if (n.startsWith("eyeLook")) return;
    perWeightMAE[n] = round(truths.reduce((s, t, f) => s + Math.abs(recovered[f]![j]! - t[j]!), 0) / truths.length);
  });
  return {
    drivenMedian: round(median(driven)), drivenMax: round(Math.max(...driven)), spuriousMedian: round(median(spurious)), spuriousMax: round(Math.max(...spurious)),
    meanAbs: round(scores.reduce((s, x) => s + x.meanAbs, 0) / scores.length), framesWithinTargets: `${within}/${scores.length}`, perWeightMAE,
  };
}
const round = (x: number) => Math.round(x * 1000) / 1000;

const results: Record<string, Record<EvalMode, Summary>> = {};
const frameTable: Record<string, unknown>[] = [];
for (const [label, { basis, options }] of Object.entries(rows)) {
  results[label] = {} as Record<EvalMode, Summary>;
  for (const mode of ["sequence", "stream", "single"] as const) {
    const scores: FrameScore[] = [], truths: Float32Array[] = [], recovered: Float32Array[] = [];
    sequences.forEach((s, k) => {
      const w = recoverSequence(basis, tracked[k]!, mode, options);
      // The neutral reference frame itself is not scored in sequence mode (its weights are 0 by construction).
      s.poses.forEach((p, f) => {
        if (f === 0) return;
        const score = scoreFrame(names, p.weights, w[f]!);
        scores.push(score); truths.push(Float32Array.from(p.weights)); recovered.push(w[f]!);
        if (label === "calibrated") frameTable.push({ sequence: s.name, frame: f, mode, driven: mapRound(score.driven), spurious: { ...score.spurious, value: round(score.spurious.value) } });
      });
    });
    results[label]![mode] = summarize(scores, truths, recovered, mode === "sequence" ? 0.15 : 0.25);
    const r = results[label]![mode];
    console.log(`${label.padEnd(34)} ${mode.padEnd(8)} driven err median ${r.drivenMedian} max ${r.drivenMax}; spurious median ${r.spuriousMedian} max ${r.spuriousMax}; frames within targets ${r.framesWithinTargets}`);
  }
}
function stripPerWeight(r: Record<EvalMode, Summary>) {
  return Object.fromEntries(Object.entries(r).map(([m, { perWeightMAE: _, ...rest }]) => [m, rest]));
}
function mapRound(o: Record<string, number>) { return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)])); }

// Truth vs recovered for the first evaluation sequence: the Animation page's chart data.
const demo = sequences[0]!;
const demoW = recoverSequence(calibrated, tracked[0]!, "sequence");
const shown = names.filter((n, j) => !n.startsWith("eyeLook") && demo.poses.some((p, f) => p.weights[j]! > 0 || demoW[f]![j]! > 0.1));
const demoData = { sequence: demo.name, names: shown, truth: demo.poses.map((p) => shown.map((n) => round(p.weights[names.indexOf(n)]!))), recovered: demoW.map((w) => shown.map((n) => round(w[names.indexOf(n)]!))) };
const summary = Object.fromEntries(Object.entries(results).map(([label, r]) => [label, stripPerWeight(r)]));
// The Animation page's truth-vs-recovered chart reads this committed copy (src/data/tracking-demo.json.ts).
if (!tuning && !fullHead) writeJsonAtomic(TRACKING_DEMO_FILE, { date: new Date().toISOString(), load: round(load0), trackedAfresh: trackSeconds > 0, ...demoData, summary });
report(`${tuning ? "tracking-tuning" : "tracking"}${fullHead ? "-full-head" : ""}`, {
  set: tuning ? "tuning" : "evaluation",
  head: fullHead ? "full" : "face",
  calibration: { version: calibration.version, compared: compared.map(({ file, c }) => ({ file, version: c.version })) },
  load: { start: round(load0), end: round(loadavg()[0]) },
  frames: tracked.flat().length,
  sequences: sequences.map((s) => s.name),
  trackSeconds: round(trackSeconds),
  targets: { sequenceDriven: 0.15, singleDriven: 0.25, spurious: 0.2 },
  results,
  frameTable,
  demo: demoData,
});
