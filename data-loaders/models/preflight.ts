// Before any work, a command asks: which roles does this profile really have? The files are
// probed without a runtime (check.ts: existence, protobuf, signature, size, sha256, external
// weights) and each role the stages use is classified:
//   present  — a good file;
//   derived  — no file, but DERIVED_FROM names a present source: the backend writes the graph
//              from it lazily (derive.ts), so gradients stay exact w.r.t. the public graphs;
//   missing  — no file and nothing to derive it from;
//   broken   — a file that is there but unusable (truncated, zero bytes, wrong signature,
//              unparsable, external weights missing): always an error, never a silent fallback.
// The states become the capability table (src/engine/models/capabilities.ts). A broken role, or
// a missing role that has no substitute (the public SD1.5 / CLIP files), stops the command here
// with one line saying which file and how to fix it — before pools, carving or SDS steps.
import { existsSync } from "node:fs";
import { UserError } from "../cli/errors.js";
import { PROFILES } from "../../models/cards/profiles.js";
import {
  capability,
  capabilityTable,
  formatCapabilityTable,
  restrictTable,
  featureRoles,
  requiredRoles,
  rolesForStages,
  runsExactly,
  type CapabilityRow,
  type CapabilityTable,
  type PipelineStage,
  type RoleState,
} from "../../src/engine/models/capabilities.js";
import { checkModels, formatProblem, type CheckReport, type Problem } from "./check.js";
import { DERIVED_FROM, DeriveError, ensureDerived } from "./derive.js";
import { profileDir, roleFile } from "./backend-node.js";
import { ensureTinyModels } from "./ensure-tiny.js";

export type ProbedState = RoleState | "broken";

export interface RoleProbe {
  profile: string;
  dir: string;
  states: Record<string, ProbedState>;
  /** check.ts's problem for every role that has no good file (missing or broken). */
  problems: Record<string, Problem>;
}

/** Role states from a check report (derived roles are decided from their source's state). */
export function classifyRoles(report: CheckReport, roles: readonly string[]): RoleProbe {
  const states: Record<string, ProbedState> = {};
  const problems: Record<string, Problem> = {};
  const ok = new Set(report.ok);
  const stateOf = (role: string): ProbedState => {
    if (ok.has(role)) return "present";
    const p = report.problems.find((x) => x.role === role);
    if (p) problems[role] = p;
    // A problem whose file exists is a broken file (this includes missing external weights).
    return p && existsSync(p.file) ? "broken" : "missing";
  };
  for (const role of roles) states[role] = stateOf(role);
  // check.ts found the source's file; derivation also needs that file to be good.
  for (const d of report.derived) if (d.role in states && (states[d.from] ?? stateOf(d.from)) === "present") states[d.role] = "derived";
  return { profile: report.profile, dir: report.dir, states, problems };
}

export interface ProbeOptions {
  profile: string;
  /** The profile's folder (default: the same one createNodeBackend reads). */
  modelsDir?: string;
  roles: readonly string[];
}

/** Probes `roles` (and the sources of derived ones) without opening a session. */
export async function probeRoles({ profile, modelsDir, roles }: ProbeOptions): Promise<RoleProbe> {
  if (!(PROFILES as readonly string[]).includes(profile)) throw new UserError(`unknown model profile "${profile}" (known: ${PROFILES.join(", ")})`);
  const dir = profileDir(profile, modelsDir);
  // The backend builds the default tiny folder on demand; probing it first must do the same.
  if (profile === "tiny" && !modelsDir) await ensureTinyModels(dir);
  const sources = roles.map((r) => DERIVED_FROM[r]).filter((s): s is string => !!s);
  const report = await checkModels({ profile, dir, roles: [...new Set([...roles, ...sources])] });
  return classifyRoles(report, roles);
}

/** The states the table takes: a broken file is no file. */
export function tableStates(probe: RoleProbe): Record<string, RoleState> {
  return Object.fromEntries(Object.entries(probe.states).map(([role, s]) => [role, s === "broken" ? "missing" : s]));
}

/** One line for a set of problems: the first in full, the others by role. */
function oneLine(profile: string, what: string, problems: readonly Problem[]): string {
  const [first, ...rest] = problems;
  const more = rest.length ? ` (also ${rest.map((p) => p.role).join(", ")}: \`dreamface models check --profile ${profile}\` lists them)` : "";
  return `the ${profile} profile ${what}: ${formatProblem(first!)}${more}`;
}

export interface PreflightOptions {
  profile: string;
  modelsDir?: string;
  stages: readonly PipelineStage[];
}

/**
 * The capability table for the stages a command runs; throws a one-line UserError when a role
 * they use is broken, or a role they cannot do without is missing.
 */
export async function preflight({ profile, modelsDir, stages }: PreflightOptions): Promise<CapabilityTable> {
  const probe = await probeRoles({ profile, modelsDir, roles: rolesForStages(stages) });
  const broken = Object.keys(probe.states).filter((r) => probe.states[r] === "broken");
  if (broken.length) throw new UserError(oneLine(profile, "has a broken model file", broken.map((r) => probe.problems[r]!)));
  const missing = requiredRoles(stages).filter((r) => probe.states[r] === "missing");
  if (missing.length)
    throw new UserError(oneLine(profile, `cannot run ${stages.join(" + ")} without ${missing.join(", ")}`, missing.map((r) => probe.problems[r] ?? { role: r, file: r, kind: "missing", message: "missing", fix: "see models/README.md" })));
  deriveNow(probe);
  return capabilityTable(profile, tableStates(probe), stages);
}

/**
 * A stage runner's capability table: the one `generate` computed for every stage (restricted to
 * this stage), or a fresh preflight printed before any work.
 */
export async function stageCapabilities(stage: PipelineStage, profile: string, opts: { capabilities?: CapabilityTable; quiet?: boolean }): Promise<CapabilityTable> {
  const table = restrictTable(opts.capabilities ?? (await preflight({ profile, stages: [stage] })), [stage]);
  if (!opts.capabilities && !opts.quiet) console.log(formatCapabilityTable(table));
  return table;
}

/** What a run folder's identity adds for substitutes (they change the result: no resuming across sets). */
export function substitutionIdentity(table: CapabilityTable): { substitutions?: string[] } {
  return table.substitutions.length ? { substitutions: table.substitutions } : {};
}

/**
 * Writes the derived roles now (cached: a no-op once current), so an export the autodiff cannot
 * differentiate is a one-line error before any work rather than a failure at the first step.
 */
function deriveNow(probe: RoleProbe): void {
  for (const [role, state] of Object.entries(probe.states)) {
    if (state !== "derived") continue;
    const sourceFile = roleFile(probe.profile, probe.dir, DERIVED_FROM[role]!);
    try {
      const d = ensureDerived(role, sourceFile);
      if (d.fresh && !process.env.DREAMFACE_TEST) console.error(`derived ${role} from ${d.source} → ${d.file} (once; cached with the source's sha256)`);
    } catch (error) {
      if (error instanceof DeriveError) throw new UserError(`${error.message}. Fix: export ${role} yourself (models/README.md) to ${roleFile(probe.profile, probe.dir, role)}`);
      throw error;
    }
  }
}

/**
 * For a command that is one feature (KID, the personalized animation path): its row, or a
 * one-line UserError saying what is missing, where, and what to do instead.
 */
export async function requireFeature({ profile, modelsDir, id }: { profile: string; modelsDir?: string; id: string }): Promise<{ row: CapabilityRow; table: CapabilityTable }> {
  const probe = await probeRoles({ profile, modelsDir, roles: featureRoles(id) });
  const broken = Object.keys(probe.states).filter((r) => probe.states[r] === "broken");
  if (broken.length) throw new UserError(oneLine(profile, "has a broken model file", broken.map((r) => probe.problems[r]!)));
  const table = capabilityTable(profile, tableStates(probe), [id.split(".")[0] as PipelineStage]);
  const row = capability(table, id);
  if (!runsExactly(table, id)) throw new UserError(`the ${profile} profile cannot run [${row.stage}] ${row.feature} (${row.missing.join(", ")} missing in ${probe.dir}): ${row.substitute}`);
  return { row, table: { ...table, rows: [row], substitutions: [] } };
}
