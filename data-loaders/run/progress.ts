// Progress bars for long stages: cli-progress on a terminal (rate and ETA); on a pipe or in
// tests a line at 0%, every 25% and at the end, so CI logs stay short.
import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progress(label: string, total: number, { quiet = false } = {}): Progress {
  if (quiet || process.env.DREAMFACE_TEST) return { tick() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {value}/{total} | {rate}/s | ETA {eta_formatted} {info}`,
        stream: process.stderr,
        etaBuffer: 20,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const t0 = performance.now();
    let value = 0;
    bar.start(total, 0, { rate: "0.0", info: "" });
    return {
      tick(n = 1, payload = {}) {
        value += n;
        const rate = (value / ((performance.now() - t0) / 1000)).toFixed(1);
        bar.update(value, { rate, info: Object.entries(payload).map(([k, v]) => `${k}=${v}`).join(" "), ...payload });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const t0 = performance.now();
  let value = 0;
  let nextQuarter = 0;
  const line = () => {
    const s = (performance.now() - t0) / 1000;
    const rate = value / Math.max(s, 1e-9);
    const eta = rate > 0 ? (total - value) / rate : NaN;
    process.stderr.write(`${label}: ${value}/${total} (${((100 * value) / total).toFixed(0)}%), ${rate.toFixed(2)}/s, ETA ${Number.isFinite(eta) ? eta.toFixed(0) + " s" : "?"}\n`);
  };
  return {
    tick(n = 1) {
      value += n;
      if (value >= (nextQuarter * total) / 4) {
        line();
        while (value >= (nextQuarter * total) / 4) nextQuarter++;
      }
    },
    stop() {
      if (value < total) line();
    },
  };
}
