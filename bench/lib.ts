// Shared helpers for `npm run bench`: timing with warm-up, JSON output under results/bench/,
// and ratios against a peer measured in the same run (absolute times are not comparable
// across our noisy machines; ratios are).
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../data-loaders/io/atomic.js";
import { resultsDir } from "../data-loaders/io/paths.js";

export interface Timing {
  name: string;
  /** Median milliseconds per call. */
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Times `fn` (sync or async) after `warmup` calls; reports the median of `runs`. */
export async function time(name: string, fn: () => unknown, { runs = 10, warmup = 2 } = {}): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { name, medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs };
}

/** Writes `results/bench/<name>.json` with machine info and prints a one-line summary per entry. */
export function report(name: string, data: Record<string, unknown>): string {
  const path = join(resultsDir(), "bench", `${name}.json`);
  writeJsonAtomic(path, {
    bench: name,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    ...data,
  });
  console.log(`wrote ${path}`);
  return path;
}

/** "ours 12.3 ms vs peer 4.1 ms → 3.00× the peer's time". */
export function ratioLine(label: string, ours: Timing, peer: Timing): string {
  const r = ours.medianMs / peer.medianMs;
  const line = `${label}: ours ${ours.medianMs.toFixed(2)} ms vs ${peer.name} ${peer.medianMs.toFixed(2)} ms → ${r.toFixed(2)}× the peer's time`;
  console.log(line);
  return line;
}

/**
 * CPU time of this process per call, fastest of n (after 3 warm-ups): on a shared, loaded
 * machine wall time mostly measures waiting for a core, and the fastest call is closest to a
 * free core. Single-threaded code only (worker threads add their CPU time too).
 */
export function cpuMs(fn: () => unknown, n = 15): number {
  for (let i = 0; i < 3; i++) fn();
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

/**
 * CPU time the hypervisor gave to other guests ("steal", /proc/stat) as a fraction of all CPU
 * time since `since()`: on our shared VMs it reached a third of a core in some minutes, which
 * makes any parallel timing meaningless; benches record it next to the load average. Null off Linux.
 */
export function stealMeter(): { since: () => number | null } {
  const read = (): number[] | null => {
    try {
      const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
      return line.trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return null;
    }
  };
  const start = read();
  return {
    since: () => {
      const now = read();
      if (!start || !now) return null;
      const d = now.map((x, i) => x - (start[i] ?? 0));
      const total = d.reduce((a, b) => a + b, 0);
      return total > 0 ? +((d[7] ?? 0) / total).toFixed(3) : null; // fields: user nice system idle iowait irq softirq steal …
    },
  };
}
