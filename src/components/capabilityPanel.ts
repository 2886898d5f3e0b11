/**
 * capabilityPanel: a run's capability table (src/engine/models/capabilities.ts, recorded in
 * its manifest as `capabilities`) as a small table with the substitution lines under it, so a
 * page never shows a substituted map or an approximate gradient without saying so.
 *
 *   display(capabilityPanel(run.manifest.capabilities));
 *
 * Runs written before the table existed have none; the panel says so instead of guessing.
 * Plain DOM: no library, so any page (and a published report) can use it.
 */
import type { CapabilityRow, CapabilityTable } from "../engine/models/capabilities.js";

const STATUS_COLOUR: Record<CapabilityRow["status"], string> = {
  exact: "var(--theme-foreground-muted)",
  derived: "var(--theme-foreground-focus)",
  substituted: "#b35c00",
  unavailable: "#c0392b",
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, style?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (style) e.style.cssText = style;
  return e;
}

export function capabilityPanel(table: CapabilityTable | null | undefined, { open = false }: { open?: boolean } = {}): HTMLElement {
  const root = el("div");
  root.className = "capability-panel";
  if (!table?.rows) {
    root.append(el("p", "No capability table recorded for this run (written before runs recorded one): which models ran exactly is not known here.", "color: var(--theme-foreground-muted); font-size: 0.9em;"));
    return root;
  }
  const substituted = table.rows.filter((r) => r.status === "substituted" || r.status === "unavailable");
  const derived = table.rows.filter((r) => r.status === "derived");
  const summary =
    substituted.length === 0 && derived.length === 0
      ? `Models: ${table.profile} profile, every feature exact`
      : `Models: ${table.profile} profile — ${substituted.length} feature(s) substituted or unavailable, ${derived.length} on derived graphs`;
  if (substituted.length) {
    // The substitutions are the part a reader must not miss: always visible.
    const list = el("ul", undefined, "margin: 0.25rem 0 0.5rem 0;");
    for (const line of table.substitutions) list.append(el("li", line));
    root.append(el("p", `${summary}${table.label ? ` [${table.label}]` : ""}:`, "font-weight: 600; margin-bottom: 0;"), list);
  }
  const details = el("details");
  details.open = open;
  details.append(el("summary", substituted.length ? "capability table" : `${summary}${table.label ? ` [${table.label}]` : ""}`, "cursor: pointer;"));
  const grid = el("table", undefined, "font-size: 0.85em; max-width: 760px;");
  const head = el("tr");
  for (const h of ["stage", "feature", "status", "roles"]) head.append(el("th", h));
  grid.append(head);
  for (const r of table.rows) {
    const tr = el("tr");
    const roles = r.roles.map((n) => (r.missing.includes(n) ? `${n} (missing)` : r.derived.includes(n) ? `${n} (derived)` : n)).join(", ") || "(no model)";
    tr.append(el("td", r.stage), el("td", r.feature), el("td", r.status, `color: ${STATUS_COLOUR[r.status]}; font-weight: 600;`), el("td", roles));
    if (r.substitute) tr.title = r.substitute;
    grid.append(tr);
  }
  details.append(grid);
  if (derived.length) details.append(el("p", `Derived: ${[...new Set(derived.flatMap((r) => r.derived))].join(", ")} — written from the public graphs by autodiff (gradients exact w.r.t. them).`, "font-size: 0.85em;"));
  root.append(details);
  return root;
}
