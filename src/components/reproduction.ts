/**
 * The Reproduction page's tables: the paper's numbers beside ours, a protocol block under each.
 * Ours are mean ± 95% CI over seeds (Fig. 18) or mean ± std over KID subsets (Fig. 13), as
 * the paper reports them; a missing measurement is shown as "—", never filled in.
 */
import { html } from "htl";

type MeanStd = { mean: number; std: number } | null;
type CI = { n: number; mean: number | null; ci95: number | null } | null;

export const fmt = (x: number | null | undefined, digits = 4): string => (x == null || !Number.isFinite(x) ? "—" : x.toFixed(digits));
const pm = (mean: number | null | undefined, spread: number | null | undefined, digits = 4) =>
  mean == null ? "—" : spread == null ? `${fmt(mean, digits)} (n/a)` : `${fmt(mean, digits)} ± ${fmt(spread, digits)}`;

export function seconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return "—";
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export interface Fig13 {
  rows: { variant: string; ours: { full: MeanStd; desired: MeanStd } | null; paper: { full: number; desired: number } | null }[];
}

export function kidTable(fig13: Fig13): HTMLElement {
  return html`<table class="repro">
    <thead><tr><th>variant</th><th>paper KID, full dataset</th><th>paper KID, desired domain</th><th>ours, full dataset (mean ± std)</th><th>ours, desired domain (mean ± std)</th></tr></thead>
    <tbody>${fig13.rows.map((r) => html`<tr>
      <td>${r.variant}</td><td>${fmt(r.paper?.full)}</td><td>${fmt(r.paper?.desired)}</td>
      <td>${pm(r.ours?.full?.mean, r.ours?.full?.std)}</td><td>${pm(r.ours?.desired?.mean, r.ours?.desired?.std)}</td></tr>`)}</tbody>
  </table>`;
}

export interface Fig18 {
  paper: { method: string; clipScore: number; time: string }[];
  rows: { variant: string; params: Record<string, unknown>; prompts: number; clip: CI; seconds: CI; cells: number }[];
}

export function clipTable(fig18: Fig18, label?: string | null): HTMLElement {
  const params = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
  return html`<table class="repro">
    <thead><tr><th>method</th><th>CLIP score ↑</th><th>seeds</th><th>characters</th><th>time per asset ↓</th><th>source</th></tr></thead>
    <tbody>
      ${fig18.paper.map((r) => html`<tr class="paper"><td>${r.method}</td><td>${fmt(r.clipScore)}</td><td></td><td>10</td><td>${r.time}</td><td>paper, Fig. 18</td></tr>`)}
      ${fig18.rows.map((r) => html`<tr><td>ours: ${r.variant}${Object.keys(r.params).length ? ` (${params(r.params)})` : ""}</td>
        <td>${pm(r.clip?.mean, r.clip?.ci95)}</td><td>${r.clip?.n ?? 0}</td><td>${r.prompts}</td><td>${seconds(r.seconds?.mean)}</td>
        <td>${label ? html`<strong>test signal</strong>` : "measured"}</td></tr>`)}
    </tbody>
  </table>`;
}

/** Key: value lines of a protocol, and the model hashes folded under it (printed open). */
export function protocolBlock(protocol: Record<string, unknown>, hashes: Record<string, unknown> = {}): HTMLElement {
  const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const entries = Object.entries(hashes);
  return html`<div class="protocol">
    <p><b>Protocol.</b> ${Object.entries(protocol).filter(([, v]) => v != null && typeof v !== "object" || Array.isArray(v)).map(([k, v], i) => html`${i ? " · " : ""}${k}: <code>${show(v)}</code>`)}</p>
    ${entries.length ? html`<details><summary>model hashes (sha256, ${entries.length})</summary><p>${entries.map(([k, v]) => html`${k}: <code>${show(v)}</code><br>`)}</p></details>` : html`<p>Model hashes: not recorded.</p>`}
  </div>`;
}
