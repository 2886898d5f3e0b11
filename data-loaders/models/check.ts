// `dreamface models check`: validates a profile folder without a runtime. Each problem names
// the file, what is wrong (missing, truncated/unparsable, wrong signature, checksum) and how
// to get a good one.
import onnxProto from "onnx-proto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { cardsFor } from "../../models/cards/profiles.js";
import { ANIMATION_ROLES } from "../../models/cards/roles.js";
import type { IoSpec, ModelCard } from "../../models/cards/types.js";
import { signatureOf, type Dim, type Signature } from "../../models/tiny/graph.js";
import { readTinyManifest } from "./build-tiny.js";
import { profileDir } from "./backend-node.js";
import { sha256, sha256File } from "../io/hash.js";

const { onnx } = onnxProto;

export interface Problem {
  role: string;
  file: string;
  kind: "missing" | "truncated" | "unparsable" | "signature" | "checksum";
  message: string;
  fix: string;
}

export interface CheckReport {
  profile: string;
  dir: string;
  ok: string[];
  /** Roles with no file whose public source is there: derived on first use (derive.ts). */
  derived: { role: string; from: string }[];
  problems: Problem[];
}

export interface CheckOptions {
  profile: string;
  dir?: string;
  /** Only these roles (default: every card of the profile). */
  roles?: string[];
  /** Hash every file, even multi-GB ones (sizes are always compared with the manifest). */
  hashes?: boolean;
}

/** Whether decoding an ONNX file failed because its bytes stop early or are corrupt (protobufjs's errors). */
export function isTruncatedProtobuf(error: unknown): boolean {
  return error instanceof RangeError || /index out of range|invalid wire type|premature/i.test((error as Error)?.message ?? "");
}

/** One line per problem: "<file>: <what> — <fix>". */
export function formatProblem(p: Problem): string {
  return `${p.file} (${p.role}): ${p.message}. Fix: ${p.fix}`;
}

function fixFor(card: ModelCard, dir: string): string {
  if (card.profile === "tiny") return `run \`dreamface models build-tiny --out ${dir}\``;
  if (card.remote) return `run \`dreamface models pull ${card.profile}\` (downloads ${card.remote.map((r) => `${r.repo}/${r.repoPath}`).join(", ")})`;
  return `this role has no public weights: export your own ONNX with the signature in models/README.md (${signatureText(card)})`;
}

export function signatureText(card: Pick<ModelCard, "inputs" | "outputs">): string {
  const io = (s: IoSpec) => `${s.name}: ${s.dtypes.join("|")} [${s.dims.join(",")}]`;
  return `inputs ${card.inputs.map(io).join("; ")} → outputs ${card.outputs.map(io).join("; ")}`;
}

export async function checkModels(options: CheckOptions): Promise<CheckReport> {
  const dir = profileDir(options.profile, options.dir);
  const tinyManifest = options.profile === "tiny" ? readTinyManifest(dir) : undefined;
  // A `build-tiny --core` folder has no animation graphs by design.
  const skip = new Set(tinyManifest?.set === "core" ? ANIMATION_ROLES : []);
  const cards = cardsFor(options.profile).filter((c) => (!options.roles || options.roles.includes(c.role)) && !skip.has(c.role));
  const report: CheckReport = { profile: options.profile, dir, ok: [], derived: [], problems: [] };
  const pulled = readPullManifest(dir);
  for (const card of cards) {
    const path = join(dir, card.file);
    const fix = fixFor(card, dir);
    const problem = (kind: Problem["kind"], message: string) => report.problems.push({ role: card.role, file: path, kind, message, fix });
    if (!existsSync(path)) {
      const source = card.derivedFrom && cardsFor(options.profile).find((c) => c.role === card.derivedFrom);
      if (source && existsSync(join(dir, source.file))) report.derived.push({ role: card.role, from: source.role });
      else problem("missing", card.derivedFrom ? `missing, and so is its source ${card.derivedFrom} (it is derived from it)` : "missing");
      continue;
    }
    const bytes = readFileSync(path);
    let sig: Signature;
    let model: InstanceType<typeof onnx.ModelProto>;
    try {
      model = onnx.ModelProto.decode(bytes);
      sig = signatureOf(model);
    } catch (error) {
      const msg = (error as Error).message;
      const truncated = isTruncatedProtobuf(error);
      problem(truncated ? "truncated" : "unparsable", truncated ? `is truncated or corrupt (protobuf: ${msg})` : `is not an ONNX model (${msg})`);
      continue;
    }
    if (!model.graph || sig.outputs.length === 0) {
      problem(bytes.length < 64 ? "truncated" : "unparsable", "is not an ONNX model (no graph or no outputs)");
      continue;
    }
    const opset = opsetProblem(card, model);
    if (opset) {
      problem("signature", opset);
      continue;
    }
    const mismatch = signatureMismatch(card, sig) ?? convChannelMismatch(card, model, sig);
    if (mismatch) {
      // "expected …, found …" says it all; a missing or unexpected name also gets the whole signature.
      problem("signature", `has the wrong signature: ${mismatch}${mismatch.includes("found") ? "" : `; expected ${signatureText(card)}`}`);
      continue;
    }
    const expected = tinyManifest?.files[card.role] ?? pulled?.files?.[card.file];
    if (expected && expected.bytes !== bytes.length) {
      const short = bytes.length < expected.bytes;
      problem(short ? "truncated" : "checksum", `has ${bytes.length} bytes, the manifest says ${expected.bytes} (${short ? "truncated download or copy" : "a different file"})`);
      continue;
    }
    const ext = externalDataProblem(model, dirname(path));
    if (ext) {
      problem(ext.kind, ext.message);
      continue;
    }
    if (expected && (options.hashes || bytes.length < 256 * 1024 * 1024 || card.profile === "tiny")) {
      const got = sha256(bytes);
      if (got !== expected.sha256) {
        problem("checksum", `sha256 ${got.slice(0, 12)}… differs from the manifest's ${expected.sha256.slice(0, 12)}…`);
        continue;
      }
    }
    report.ok.push(card.role);
  }
  // Roles without a card (the ANIMATION stage's tiny graphs): existence, size and sha256.
  for (const [role, f] of Object.entries(tinyManifest?.files ?? {})) {
    if (cards.some((c) => c.role === role) || (options.roles && !options.roles.includes(role))) continue;
    const path = join(dir, f.file);
    const fix = `run \`dreamface models build-tiny --out ${dir}\``;
    if (!existsSync(path)) report.problems.push({ role, file: path, kind: "missing", message: "missing", fix });
    else if (statSync(path).size !== f.bytes) report.problems.push({ role, file: path, kind: "truncated", message: `has ${statSync(path).size} bytes, the manifest says ${f.bytes}`, fix });
    else if (sha256(readFileSync(path)) !== f.sha256) report.problems.push({ role, file: path, kind: "checksum", message: "sha256 differs from the manifest", fix });
    else report.ok.push(role);
  }
  if (options.hashes && pulled) await checkPulledHashes(dir, pulled, report);
  return report;
}

interface PullManifest {
  files?: Record<string, { sha256: string; bytes: number }>;
}

function readPullManifest(dir: string): PullManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as PullManifest;
  } catch {
    return undefined;
  }
}

/** External weights (weights.pb, model.onnx_data) are not protobuf: hash them by streaming. */
async function checkPulledHashes(dir: string, pulled: PullManifest, report: CheckReport): Promise<void> {
  for (const [rel, f] of Object.entries(pulled.files ?? {})) {
    if (rel.endsWith(".onnx")) continue;
    const path = join(dir, rel);
    if (!existsSync(path)) continue;
    if ((await sha256File(path)) !== f.sha256) {
      report.problems.push({ role: rel.split("/")[0]!, file: path, kind: "checksum", message: "sha256 differs from the pull manifest", fix: "delete it and run `dreamface models pull sd15` again" });
    }
  }
}

function dimsText(d: readonly Dim[]): string {
  return `[${d.join(",")}]`;
}

/** The sizes a card dim allows: a number, or alternatives written "4|8"; undefined for a symbolic dim. */
function fixedDims(d: number | string): number[] | undefined {
  if (typeof d === "number") return [d];
  return /^\d+(\|\d+)+$/.test(d) ? d.split("|").map(Number) : undefined;
}

/** The file's value for the card's k-th spec: by position, or by name or alias. */
function valueFor(card: Pick<ModelCard, "names">, spec: IoSpec, k: number, values: Signature["inputs"]): Signature["inputs"][number] | undefined {
  return card.names === "positional" ? values[k] : values.find((x) => x.name === spec.name || spec.aliases?.includes(x.name));
}

/** Why the declared signature does not fit the card, or undefined. */
export function signatureMismatch(card: Pick<ModelCard, "inputs" | "outputs" | "names">, sig: Signature): string | undefined {
  const side = (kind: string, specs: readonly IoSpec[], values: Signature["inputs"], extraOk: boolean): string | undefined => {
    if (card.names === "positional") {
      if (values.length < specs.length || (!extraOk && values.length !== specs.length)) return `${values.length} ${kind}s, expected ${specs.length}`;
    }
    for (const [k, spec] of specs.entries()) {
      const v = valueFor(card, spec, k, values);
      if (!v) return `no ${kind} "${spec.name}" (has ${values.map((x) => x.name).join(", ") || "none"})`;
      if (!spec.dtypes.includes(v.dtype)) return `${kind} "${v.name}" dtype: expected ${spec.dtypes.join(" or ")}, found ${v.dtype}`;
      if (!spec.ranks.includes(v.dims.length)) return `${kind} "${v.name}" rank: expected ${spec.ranks.join(" or ")} ${dimsText(spec.dims)}, found ${v.dims.length} ${dimsText(v.dims)}`;
      // Fixed dims of the card against fixed dims of the file. A dim the file declares symbolic
      // (a dynamic axis) or 0 (unknown) says nothing and is accepted.
      if (v.dims.length === spec.dims.length) {
        for (const [i, d] of spec.dims.entries()) {
          const got = v.dims[i];
          const allowed = fixedDims(d);
          if (allowed && typeof got === "number" && got > 0 && !allowed.includes(got)) return `${kind} "${v.name}" dim ${i}: expected ${allowed.join(" or ")}, found ${got} ${dimsText(v.dims)}`;
        }
      }
    }
    if (card.names === "exact" && kind === "input") {
      const known = new Set(specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]));
      const extra = values.filter((x) => !known.has(x.name));
      if (extra.length) return `unexpected input ${extra.map((x) => `"${x.name}"`).join(", ")}`;
    }
    return undefined;
  };
  return side("input", card.inputs, sig.inputs, false) ?? side("output", card.outputs, sig.outputs, true);
}

/** The default-domain opset a model imports ("" and "ai.onnx" are the same domain), or undefined. */
export function defaultOpset(model: InstanceType<typeof onnx.ModelProto>): number | undefined {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
  return entry?.version == null ? undefined : Number(entry.version);
}

/** Why the file's opset is below the card's minimum, or undefined. */
function opsetProblem(card: Pick<ModelCard, "minOpset">, model: InstanceType<typeof onnx.ModelProto>): string | undefined {
  if (!card.minOpset) return undefined;
  const got = defaultOpset(model);
  if (got === undefined) return `has the wrong opset: expected ai.onnx ≥ ${card.minOpset}, found no ai.onnx opset import`;
  return got < card.minOpset ? `has the wrong opset: expected ai.onnx ≥ ${card.minOpset} (the public exports' default), found ${got}` : undefined;
}

/**
 * A 4-D input whose channel dim the file leaves symbolic (the diffusers script's dynamic
 * `channels` axis) still has a channel count: the first Conv reading it says it, in its weight's
 * declared dims [C_out, C_in/group, k, k] (initializer headers, sized even when the bytes are
 * external). Compared with the card's fixed channel dim; undefined when nothing is fixed or no
 * Conv reads the input directly.
 */
export function convChannelMismatch(card: Pick<ModelCard, "inputs" | "names">, model: InstanceType<typeof onnx.ModelProto>, sig: Signature): string | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  for (const [k, spec] of card.inputs.entries()) {
    const v = valueFor(card, spec, k, sig.inputs);
    const allowed = spec.dims.length === 4 ? fixedDims(spec.dims[1]!) : undefined;
    if (!v || !allowed || v.dims.length !== 4 || typeof v.dims[1] === "number") continue;
    const conv = (graph.node ?? []).find((n) => n.opType === "Conv" && n.input?.[0] === v.name);
    const weight = conv && (graph.initializer ?? []).find((t) => t.name === conv.input?.[1]);
    if (!conv || !weight?.dims || weight.dims.length !== 4) continue;
    const group = Number(conv.attribute?.find((a) => a.name === "group")?.i ?? 1);
    const channels = Number(weight.dims[1]) * group;
    if (!allowed.includes(channels)) return `input "${v.name}" dim 1 (symbolic "${v.dims[1]}"; its first Conv reads ${channels} channels): expected ${allowed.join(" or ")}, found ${channels}`;
  }
  return undefined;
}

function externalDataProblem(model: InstanceType<typeof onnx.ModelProto>, dir: string): { kind: Problem["kind"]; message: string } | undefined {
  const need = new Map<string, number>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
    const loc = kv.location;
    if (!loc) continue;
    const end = Number(kv.offset ?? 0) + Number(kv.length ?? 0);
    need.set(loc, Math.max(need.get(loc) ?? 0, end));
  }
  for (const [loc, end] of need) {
    const path = join(dir, loc);
    if (!existsSync(path)) return { kind: "missing", message: `its external weights file ${loc} is missing (it must sit beside the .onnx)` };
    const size = statSync(path).size;
    if (size < end) return { kind: "truncated", message: `its external weights file ${loc} is truncated (${size} bytes, needs ${end})` };
  }
  return undefined;
}
