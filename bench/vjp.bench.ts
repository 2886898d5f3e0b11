// `npm run bench -- vjp`: the ONNX autodiff's derived VJP graphs against their forward, in
// the same run, on CPU (onnxruntime-node). Graphs: the SD-shaped torch exports in
// test/fixtures/autodiff/ (diffusers block structure, small widths — not SD1.5's sizes, so
// the ratio is the figure to read, not the milliseconds). Target: VJP ≤ 3× the forward, as
// autograd achieves. Also the peak memory (VmHWM, a fresh process each) of the 512² VAE
// encoder's forward and of its VJP. When results/bench/sd-width/ holds the SD1.5-width VAE
// graphs (models/export/make_bench_models.py, needs torch; not committed), they are measured too:
// at those widths convolutions dominate, as on the real model, instead of per-node overhead.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { loadavg } from "node:os";
import { time, report, ratioLine, type Timing } from "./lib.js";
import { projectRoot } from "../data-loaders/io/paths.js";
import { readModel, writeModelFile } from "../data-loaders/models/vjp-file.js";
import { vjpModel } from "../src/engine/autodiff/vjp.js";
import { Rng } from "../src/engine/util/rng.js";

const fixtures = join(projectRoot, "test", "fixtures", "autodiff");
const self = fileURLToPath(import.meta.url);
const rng = new Rng(3);
const randn = (dims: number[]) => new ort.Tensor("float32", rng.normals(dims.reduce((a, b) => a * b, 1)), dims);

/** Child mode: run one graph once on random feeds and print the peak resident memory. */
if (process.argv[2] === "--peak") {
  const [, , , model, feedsJson] = process.argv;
  const s = await ort.InferenceSession.create(model!, { logSeverityLevel: 3 });
  const feeds = Object.fromEntries(Object.entries(JSON.parse(feedsJson!) as Record<string, number[]>).map(([k, d]) => [k, randn(d)]));
  await s.run(feeds);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  console.log(JSON.stringify({ peakMiB: Number(hwm) / 1024 }));
  process.exit(0);
}

const tmp = join(projectRoot, "results", "bench", "vjp-graphs");
function derive(name: string, wrt: string[], output: string, dir = fixtures): { fwd: string; vjp: string } {
  const fwd = join(dir, `${name}.onnx`);
  const vjp = join(tmp, `${dir === fixtures ? "" : "sd-width-"}${name}.vjp.onnx`);
  writeModelFile(vjpModel(readModel(fwd), { wrt, output }), dir, vjp);
  return { fwd, vjp };
}
const sdWidth = join(projectRoot, "results", "bench", "sd-width");

interface Case {
  label: string;
  graphs: { fwd: string; vjp: string };
  feeds: Record<string, number[]>;
  cotangent: [string, number[]];
  extra?: Record<string, ort.Tensor>;
  runs?: number;
}
const hidden = [1, 77, 768];
const cases: Case[] = [
  { label: "VAE encoder VJP (w.r.t. sample) 512²", graphs: derive("vae_encoder", ["sample"], "latent_parameters"), feeds: { sample: [1, 3, 512, 512] }, cotangent: ["grad_latent_parameters", [1, 8, 64, 64]] },
  { label: "VAE decoder VJP (w.r.t. latent) 64² → 512²", graphs: derive("vae_decoder", ["latent_sample"], "sample"), feeds: { latent_sample: [1, 4, 64, 64] }, cotangent: ["grad_sample", [1, 3, 512, 512]] },
  {
    label: "UNet conditioning VJP (w.r.t. encoder_hidden_states) 64²",
    graphs: derive("unet", ["encoder_hidden_states"], "out_sample"),
    feeds: { sample: [1, 4, 64, 64], encoder_hidden_states: hidden },
    cotangent: ["grad_out_sample", [1, 4, 64, 64]],
    extra: { timestep: new ort.Tensor("int64", BigInt64Array.from([500n]), [1]) },
  },
  ...(existsSync(join(sdWidth, "vae_encoder.onnx"))
    ? [
        { label: "SD-width VAE encoder VJP 256²", graphs: derive("vae_encoder", ["sample"], "latent_parameters", sdWidth), feeds: { sample: [1, 3, 256, 256] }, cotangent: ["grad_latent_parameters", [1, 8, 32, 32]] as [string, number[]], runs: 3 },
        { label: "SD-width VAE decoder VJP 32² → 256²", graphs: derive("vae_decoder", ["latent_sample"], "sample", sdWidth), feeds: { latent_sample: [1, 4, 32, 32] }, cotangent: ["grad_sample", [1, 3, 256, 256]] as [string, number[]], runs: 3 },
      ]
    : []),
];
if (!existsSync(join(sdWidth, "vae_encoder.onnx"))) console.log("(no SD-width graphs: /usr/bin/python3 models/export/make_bench_models.py writes them)");

const rows: { case: string; forward: Timing; vjp: Timing; ratio: number; meetsTarget: boolean }[] = [];
for (const c of cases) {
  const fwd = await ort.InferenceSession.create(c.graphs.fwd, { logSeverityLevel: 3 });
  const vjp = await ort.InferenceSession.create(c.graphs.vjp, { logSeverityLevel: 3 });
  const feeds = { ...Object.fromEntries(Object.entries(c.feeds).map(([k, d]) => [k, randn(d)])), ...(c.extra ?? {}) };
  const runs = c.runs ?? 9;
  const f = await time("forward", () => fwd.run(feeds), { runs, warmup: Math.min(2, runs) });
  const v = await time("VJP", () => vjp.run({ ...feeds, [c.cotangent[0]]: randn(c.cotangent[1]) }), { runs, warmup: Math.min(2, runs) });
  ratioLine(c.label, v, f);
  rows.push({ case: c.label, forward: f, vjp: v, ratio: v.medianMs / f.medianMs, meetsTarget: v.medianMs <= 3 * f.medianMs });
}

const peak = (model: string, feeds: Record<string, number[]>) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", self, "--peak", model, JSON.stringify(feeds)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`peak-memory child failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split("\n").pop()!) as { peakMiB: number }).peakMiB;
};
const enc = cases[0]!;
const memory = {
  forwardPeakMiB: peak(enc.graphs.fwd, enc.feeds),
  vjpPeakMiB: peak(enc.graphs.vjp, { ...enc.feeds, [enc.cotangent[0]]: enc.cotangent[1] }),
};
console.log(`peak memory, 512² VAE encoder (fresh process each): forward ${memory.forwardPeakMiB.toFixed(0)} MiB, VJP ${memory.vjpPeakMiB.toFixed(0)} MiB`);
const sdEnc = cases.find((c) => c.label.startsWith("SD-width VAE encoder"));
const sdMemory = sdEnc && {
  forwardPeakMiB: peak(sdEnc.graphs.fwd, { sample: [1, 3, 512, 512] }),
  vjpPeakMiB: peak(sdEnc.graphs.vjp, { sample: [1, 3, 512, 512], grad_latent_parameters: [1, 8, 64, 64] }),
};
if (sdMemory) console.log(`peak memory, SD-width VAE encoder at 512²: forward ${sdMemory.forwardPeakMiB.toFixed(0)} MiB, VJP ${sdMemory.vjpPeakMiB.toFixed(0)} MiB`);
for (const r of rows) console.log(`${r.case}: VJP ${r.ratio.toFixed(2)}× the forward (target ≤ 3×: ${r.meetsTarget ? "met" : "NOT met"})`);
report("vjp", { loadavg: loadavg(), fixtures: "test/fixtures/autodiff (SD-shaped, small widths); results/bench/sd-width (SD1.5 VAE widths) when present", target: "VJP ≤ 3× forward", rows, memory, ...(sdMemory ? { sdWidthMemory512: sdMemory } : {}) });
