/**
 * What a profile can do with the model files it has, decided once before any work: one row
 * per pipeline feature saying whether it runs as the paper describes ("exact"), on a graph
 * derived from public weights by autodiff ("derived", gradients exact w.r.t. the public
 * graphs), on a documented substitute ("substituted"), or not at all ("unavailable").
 *
 * Pure and isomorphic: the caller probes the files (data-loaders/models/preflight.ts on Node)
 * and hands in role → state. The stages read their plan from the table instead of probing the
 * backend themselves, so what a run did and what its manifest and pages say cannot disagree.
 *
 * The substitutes are decided here, once, and every run labels them:
 *   texture_unet / texture_domain_tokens → the paper's "w/o texture" variant (generic LDM only);
 *   specular_decoder → the skin specular prior (src/engine/stages/texture/specular-prior.ts);
 *   normal_decoder   → the carved detail normal map N_d alone;
 *   restore → skipped; upscale → the Lanczos-3 resampler;
 *   vae_*_vjp (neither a file nor derivable) → the published linear latent↔RGB Jacobian;
 *   kid_features → KID unavailable (with what to install);
 *   anim_* → the blendshape animation path only.
 */

export type RoleState = "present" | "derived" | "missing";
export type CapabilityStatus = "exact" | "derived" | "substituted" | "unavailable";
export type PipelineStage = "geometry" | "texture" | "evaluation" | "animation";
export const PIPELINE_STAGES: readonly PipelineStage[] = ["geometry", "texture", "evaluation", "animation"];

export interface CapabilityRow {
  /** Stable key the stages look rows up by, e.g. "texture.specular". */
  id: string;
  stage: PipelineStage;
  feature: string;
  status: CapabilityStatus;
  /** Every role the feature uses when it runs exactly. */
  roles: string[];
  /** The roles that are missing (what made the row substituted or unavailable). */
  missing: string[];
  /** The roles that run as graphs derived from public ones (what made the row "derived"). */
  derived: string[];
  /** One line: what runs instead (substituted) or what is lost and how to get it (unavailable). */
  substitute?: string;
}

export interface CapabilityTable {
  profile: string;
  /** The profile's label where outputs are shown (tiny: test signal, not a face). */
  label?: string;
  stages: PipelineStage[];
  rows: CapabilityRow[];
  /** One line per substituted or unavailable row: "[<stage>] <feature>: <substitute>". */
  substitutions: string[];
}

/** The tiny profile's label, everywhere its outputs are shown (manifests re-export it as TINY_LABEL). */
export const TINY_PROFILE_LABEL = "tiny profile — test signal, not a face";

export const LINEAR_VJP_SUBSTITUTE = "the published linear latent↔RGB factors stand in for the VAE Jacobian (labelled approximation, linear-rgb.ts)";
export const SPECULAR_PRIOR_SUBSTITUTE =
  "skin specular prior: a fixed region map over ICT's UV layout (nose 0.50, forehead 0.45, lips 0.40, cheeks 0.20, elsewhere 0.30, eye openings and mouth interior 0)";

interface FeatureSpec {
  id: string;
  stage: PipelineStage;
  feature: string;
  /** Without these the feature cannot run at all (no substitute exists). */
  needs: readonly string[];
  /** Roles with a fallback: missing → `status` with `substitute`. */
  optional?: { roles: readonly string[]; status: "substituted" | "unavailable"; substitute: string };
}

const CLIP = ["clip_text", "clip_image"] as const;
const ANIM = ["anim_e_geo", "anim_e_exp", "anim_g_geo"] as const;

/** Every feature of the pipeline and what it falls back to; rows keep this order. */
const FEATURES: readonly FeatureSpec[] = [
  { id: "geometry.ranking", stage: "geometry", feature: "coarse ranking (CLIP, Eq. 3)", needs: CLIP },
  { id: "geometry.carving", stage: "geometry", feature: "detail carving (SDS, Eq. 7–8)", needs: ["text_encoder", "unet", "vae_encoder"] },
  {
    id: "geometry.carving-vjp",
    stage: "geometry",
    feature: "carving gradient through the VAE encoder",
    needs: [],
    optional: { roles: ["vae_encoder_vjp"], status: "substituted", substitute: LINEAR_VJP_SUBSTITUTE },
  },
  { id: "geometry.hair", stage: "geometry", feature: "hair selection (CLIP)", needs: CLIP },
  { id: "texture.generic", stage: "texture", feature: "generic LDM path (latent SDS)", needs: ["text_encoder", "unet"] },
  {
    id: "texture.ldm",
    stage: "texture",
    feature: "texture LDM path (Eq. 11)",
    needs: [],
    optional: { roles: ["texture_unet", "texture_domain_tokens"], status: "substituted", substitute: 'the paper\'s "w/o texture" variant: latent and image SDS with the generic LDM only' },
  },
  { id: "texture.image-sds", stage: "texture", feature: "image-space SDS (VAE, Eq. 13–14)", needs: ["vae_encoder", "vae_decoder"] },
  {
    id: "texture.vae-vjp",
    stage: "texture",
    feature: "image-space gradient through the VAE",
    needs: [],
    optional: { roles: ["vae_encoder_vjp", "vae_decoder_vjp"], status: "substituted", substitute: LINEAR_VJP_SUBSTITUTE },
  },
  { id: "texture.diffuse", stage: "texture", feature: "diffuse map", needs: ["vae_decoder"] },
  { id: "texture.specular", stage: "texture", feature: "specular map", needs: [], optional: { roles: ["specular_decoder"], status: "substituted", substitute: SPECULAR_PRIOR_SUBSTITUTE } },
  {
    id: "texture.normal",
    stage: "texture",
    feature: "normal map",
    needs: [],
    optional: { roles: ["normal_decoder"], status: "substituted", substitute: "the carved detail normal map N_d alone (no decoded normal map to blend with)" },
  },
  { id: "texture.restore", stage: "texture", feature: "diffuse restoration", needs: [], optional: { roles: ["restore"], status: "substituted", substitute: "skipped: the decoded diffuse map is used as is" } },
  { id: "texture.upscale", stage: "texture", feature: "super-resolution to 4K", needs: [], optional: { roles: ["upscale"], status: "substituted", substitute: "classical Lanczos-3 resampler (no SR model)" } },
  { id: "evaluation.clip-score", stage: "evaluation", feature: "CLIP score", needs: CLIP },
  {
    id: "evaluation.kid",
    stage: "evaluation",
    feature: "KID",
    needs: [],
    optional: {
      roles: ["kid_features"],
      status: "unavailable",
      substitute: "unavailable — install an Inception-v3 pool3 ONNX as the kid_features role ([B,3,299,299] in [0,1] → [B,2048]; models/README.md)",
    },
  },
  { id: "animation.blendshape", stage: "animation", feature: "blendshape path (MediaPipe → ICT weights)", needs: [] },
  {
    id: "animation.personalized",
    stage: "animation",
    feature: "personalized path (Sec. 6)",
    needs: [],
    optional: { roles: ANIM, status: "unavailable", substitute: "blendshape path only (--path blendshape); the personalized path needs anim_e_geo, anim_e_exp, anim_g_geo exports" },
  },
];

/** The roles the given stages use (what a preflight must probe). */
export function rolesForStages(stages: readonly PipelineStage[]): string[] {
  const roles = new Set<string>();
  for (const f of FEATURES) if (stages.includes(f.stage)) for (const r of [...f.needs, ...(f.optional?.roles ?? [])]) roles.add(r);
  return [...roles];
}

/** The roles one feature uses, by row id (what a single-feature check must probe). */
export function featureRoles(id: string): string[] {
  const f = FEATURES.find((x) => x.id === id);
  if (!f) throw new Error(`no pipeline feature "${id}" (known: ${FEATURES.map((x) => x.id).join(", ")})`);
  return [...f.needs, ...(f.optional?.roles ?? [])];
}

/** Roles whose absence makes a feature of these stages impossible (no substitute). */
export function requiredRoles(stages: readonly PipelineStage[]): string[] {
  return [...new Set(FEATURES.filter((f) => stages.includes(f.stage)).flatMap((f) => f.needs))];
}

function rowOf(spec: FeatureSpec, state: (role: string) => RoleState): CapabilityRow {
  const roles = [...spec.needs, ...(spec.optional?.roles ?? [])];
  const base = { id: spec.id, stage: spec.stage, feature: spec.feature, roles, derived: [] };
  const missingNeeds = spec.needs.filter((r) => state(r) === "missing");
  if (missingNeeds.length) return { ...base, status: "unavailable", missing: missingNeeds, substitute: `needs ${missingNeeds.join(", ")} (missing)` };
  const missingOptional = (spec.optional?.roles ?? []).filter((r) => state(r) === "missing");
  // One missing role of a group (e.g. one of the two VAE VJPs) sends the whole group to the substitute.
  if (missingOptional.length) return { ...base, status: spec.optional!.status, missing: missingOptional, substitute: spec.optional!.substitute };
  const derived = roles.filter((r) => state(r) === "derived");
  return { ...base, status: derived.length ? "derived" : "exact", missing: [], derived };
}

/** The table for `profile` given each role's state (absent from `states` = missing). */
export function capabilityTable(profile: string, states: Readonly<Record<string, RoleState>>, stages: readonly PipelineStage[] = PIPELINE_STAGES): CapabilityTable {
  const state = (role: string): RoleState => states[role] ?? "missing";
  const rows = FEATURES.filter((f) => stages.includes(f.stage)).map((f) => rowOf(f, state));
  return {
    profile,
    ...(profile === "tiny" ? { label: TINY_PROFILE_LABEL } : {}),
    stages: [...stages],
    rows,
    substitutions: substitutionLines(rows),
  };
}

function substitutionLines(rows: readonly CapabilityRow[]): string[] {
  return rows.filter((r) => r.status === "substituted" || r.status === "unavailable").map((r) => `[${r.stage}] ${r.feature}: ${r.substitute}`);
}

/** The row with this id; throws when the table was built without its stage (a wiring bug). */
export function capability(table: CapabilityTable, id: string): CapabilityRow {
  const row = table.rows.find((r) => r.id === id);
  if (!row) throw new Error(`the capability table for ${table.profile} has no row "${id}" (built for stages ${table.stages.join(", ")})`);
  return row;
}

/** The same table restricted to some of its stages (a stage's manifest records its own rows). */
export function restrictTable(table: CapabilityTable, stages: readonly PipelineStage[]): CapabilityTable {
  const rows = table.rows.filter((r) => stages.includes(r.stage));
  return { ...table, stages: table.stages.filter((s) => stages.includes(s)), rows, substitutions: substitutionLines(rows) };
}

/** True when the feature runs on real (or derived) graphs rather than a substitute. */
export const runsExactly = (table: CapabilityTable, id: string): boolean => {
  const s = capability(table, id).status;
  return s === "exact" || s === "derived";
};

/** A compact text table: a summary line, one line per feature, then the substitution lines. */
export function formatCapabilityTable(table: CapabilityTable): string {
  const count = (s: CapabilityStatus) => table.rows.filter((r) => r.status === s).length;
  const summary = (["exact", "derived", "substituted", "unavailable"] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  const allExact = table.rows.every((r) => r.status === "exact");
  const head = `capabilities of the ${table.profile} profile (${table.stages.join(", ")}): ${allExact ? "every role present, every feature exact" : summary}${table.label ? ` [${table.label}]` : ""}`;
  const role = (r: CapabilityRow, name: string) => (r.missing.includes(name) ? `${name} (missing)` : r.derived.includes(name) ? `${name} (derived)` : name);
  const cells = table.rows.map((r) => [r.stage, r.feature, r.status, r.roles.map((n) => role(r, n)).join(", ") || "(no model)"]);
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  const lines = cells.map((row) => `  ${row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join("  ")}`);
  const derived = [...new Set(table.rows.flatMap((r) => r.derived))];
  if (derived.length) lines.push(`  derived: ${derived.join(", ")} — written from the public graphs by autodiff (gradients exact w.r.t. them)`);
  for (const s of table.substitutions) lines.push(`  substitute: ${s}`);
  return [head, ...lines].join("\n");
}
