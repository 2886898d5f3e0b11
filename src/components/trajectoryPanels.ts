/**
 * trajectoryPanels: a run's per-step trajectory as small multiples — one panel per quantity,
 * all on the same step axis, a log y axis where a quantity's positive values span more than
 * two decades, the per-step values as thin lines and a moving mean drawn over them. With
 * `series` (e.g. "run") each panel overlays one line per run, for comparisons.
 *
 *   display(trajectoryPanels(run.trajectory, {keys: ["loss_sds", "loss_geo"], width}));
 *
 * Replaces overlaying ~30 rescaled series in one panel, where no single curve could be read.
 */
import * as Plot from "@observablehq/plot";

export type Row = Record<string, unknown>;

export interface PanelSpec {
  key: string;
  log: boolean;
  points: { step: number; value: number; series: string }[];
}

export interface PanelOptions {
  /** Quantities, one panel each (default: every numeric column but `step` and `series`). */
  keys?: readonly string[];
  /** Column naming the series a row belongs to (several runs in one panel). */
  series?: string;
  /** Moving-mean window in steps (default: ~1/20 of the steps, at least 3). */
  window?: number;
  /** Steps to mark with a dashed rule (e.g. the latent → image stage boundary). */
  marks?: readonly number[];
  width?: number;
  /** Panels per row (default: as many 240-px panels as fit). */
  columns?: number;
  labels?: Record<string, string>;
}

/** Numeric columns of the rows, in first-seen order. */
export function numericKeys(rows: readonly Row[], exclude: readonly string[] = ["step"]): string[] {
  const keys: string[] = [];
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === "number" && Number.isFinite(v) && !exclude.includes(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

/** Whether a quantity wants a log axis: all values positive and spanning more than two decades. */
export function wantsLog(values: readonly number[]): boolean {
  if (values.length < 2 || values.some((v) => !(v > 0))) return false;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo > 100;
}

/** The panels' data (pure, tested in Node): one spec per quantity that has any value. */
export function panelSpecs(rows: readonly Row[], { keys, series }: Pick<PanelOptions, "keys" | "series"> = {}): PanelSpec[] {
  const wanted = keys ?? numericKeys(rows, ["step", ...(series ? [series] : [])]);
  const specs: PanelSpec[] = [];
  for (const key of wanted) {
    const points = rows
      .filter((r) => typeof r[key] === "number" && Number.isFinite(r[key]) && typeof r.step === "number")
      .map((r) => ({ step: r.step as number, value: r[key] as number, series: series ? String(r[series]) : "" }));
    if (points.length) specs.push({ key, log: wantsLog(points.map((p) => p.value)), points });
  }
  return specs;
}

/** A constant quantity gets a domain from 0 (or around it), not a degenerate [v, v]. */
export function constantDomain(spec: PanelSpec): [number, number] | undefined {
  const v = spec.points[0]!.value;
  if (spec.log || spec.points.some((p) => p.value !== v)) return undefined;
  return v === 0 ? [-1, 1] : v > 0 ? [0, 1.25 * v] : [1.25 * v, 0];
}

export function trajectoryPanels(rows: readonly Row[], options: PanelOptions = {}): HTMLElement {
  const specs = panelSpecs(rows, options);
  const root = document.createElement("div");
  root.className = "trajectory-panels";
  if (!specs.length) {
    root.innerHTML = "<p><em>No trajectory recorded.</em></p>";
    return root;
  }
  const width = options.width ?? 760;
  const columns = options.columns ?? Math.max(1, Math.min(3, Math.floor(width / 240)));
  const panelWidth = Math.floor((width - 12 * (columns - 1)) / columns);
  root.style.cssText = `display: grid; grid-template-columns: repeat(${columns}, ${panelWidth}px); gap: 4px 12px;`;
  let lo = Infinity, hi = -Infinity;
  for (const s of specs) for (const p of s.points) (lo = Math.min(lo, p.step)), (hi = Math.max(hi, p.step));
  const steps = new Set(specs.flatMap((s) => s.points.map((p) => p.step))).size;
  const k = options.window ?? Math.max(3, Math.round(steps / 20));
  const seriesNames = [...new Set(specs.flatMap((s) => s.points.map((p) => p.series)))];
  const multi = Boolean(options.series) && seriesNames.length > 1;
  for (const s of specs) {
    const stroke = multi ? "series" : () => "currentColor";
    const plot = Plot.plot({
      width: panelWidth,
      height: 130,
      marginLeft: 56,
      marginTop: 22,
      grid: true,
      style: { fontSize: "10px" },
      title: `${options.labels?.[s.key] ?? s.key}${s.log ? " (log)" : ""}`,
      x: { domain: [lo, hi], label: null },
      y: { type: s.log ? "log" : "linear", label: null, nice: true, ticks: 4, tickFormat: s.log ? "~e" : ".3~g", ...(constantDomain(s) ? { domain: constantDomain(s) } : {}) },
      // One domain for every panel, so a run keeps its colour across panels.
      color: multi ? { domain: seriesNames, type: "categorical" } : undefined,
      marks: [
        ...(options.marks?.length ? [Plot.ruleX(options.marks, { stroke: "#999", strokeDasharray: "4,3" })] : []),
        Plot.line(s.points, { x: "step", y: "value", z: "series", stroke, strokeWidth: 0.6, strokeOpacity: 0.35 }),
        // A moving mean only where a series has more steps than the window.
        ...(steps > 2 * k ? [Plot.line(s.points, Plot.windowY({ k, anchor: "middle", reduce: "mean" }, { x: "step", y: "value", z: "series", stroke, strokeWidth: 1.6 }))] : []),
      ],
    });
    root.append(plot);
  }
  if (multi) {
    const legend = Plot.legend({ color: { domain: seriesNames, type: "categorical" } }) as HTMLElement;
    legend.style.gridColumn = "1 / -1";
    root.prepend(legend);
  }
  return root;
}
