// The Backend over onnxruntime-node: one cached session per role, CPU by default, CUDA on
// request. It moves tensors only; export variants are conformed by src/engine/models/. A
// missing or unloadable model file is the user's setup to fix: a ModelMissingError, a UserError naming the role (one line from the
// CLI, never a stack), for every command at once.
import * as ort from "onnxruntime-node";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Backend, ModelSession, Tensor, ValueInfo } from "../../src/engine/models/backend.js";
import { outputDtype, sessionCache, valueInfos } from "../../src/engine/models/sessions.js";
import { cardsFor } from "../../models/cards/profiles.js";
import { userCacheDir } from "../io/paths.js";
import { sha256File } from "../io/hash.js";
import { defaultTinyDir, readTinyManifest } from "./build-tiny.js";
import { ensureTinyModels } from "./ensure-tiny.js";
import { DERIVED_FROM, ensureDerived } from "./derive.js";
import { ModelMissingError } from "../cli/errors.js";

export interface NodeBackendOptions {
  profile: "tiny" | "sd15" | string;
  /** Folder of the profile's files. tiny: models/tiny (built on demand); sd15: <cache>/models/sd15. */
  modelsDir?: string;
  /** CPU by default; "cuda" (or DREAMFACE_DEVICE=cuda) needs `npm run gpu:install` and a GPU. */
  device?: "cpu" | "cuda";
  /** Per-role file overrides (absolute or relative to modelsDir). */
  files?: Record<string, string>;
  /** Intra-op threads (default: onnxruntime's choice; DREAMFACE_ORT_THREADS overrides). */
  threads?: number;
}

export const defaultSd15Dir = (): string => process.env.DREAMFACE_SD15_DIR ?? join(userCacheDir(), "models", "sd15");

export function profileDir(profile: string, modelsDir?: string): string {
  if (modelsDir) return resolve(modelsDir);
  return profile === "tiny" ? defaultTinyDir() : profile === "sd15" ? defaultSd15Dir() : join(userCacheDir(), "models", profile);
}

/** The file a role is read from: card path, else <role>.onnx (tiny) / <role>/model.onnx. */
export function roleFile(profile: string, dir: string, role: string, files?: Record<string, string>): string {
  const override = files?.[role];
  if (override) return resolve(dir, override);
  const card = profile === "tiny" || profile === "sd15" ? cardsFor(profile).find((c) => c.role === role) : undefined;
  return join(dir, card?.file ?? (profile === "tiny" ? `${role}.onnx` : `${role}/model.onnx`));
}

export async function createNodeBackend(options: NodeBackendOptions): Promise<Backend> {
  const { profile, files } = options;
  const device = options.device ?? (process.env.DREAMFACE_DEVICE === "cuda" ? "cuda" : "cpu");
  const dir = profileDir(profile, options.modelsDir);
  const buildTiny = profile === "tiny" && !options.modelsDir;
  const threads = options.threads ?? (process.env.DREAMFACE_ORT_THREADS ? Number(process.env.DREAMFACE_ORT_THREADS) : undefined);
  const hashes: Record<string, string> = {};
  let ready: Promise<unknown> | undefined;

  async function open(role: string): Promise<NodeSession> {
    if (buildTiny) await (ready ??= ensureTinyModels(dir));
    let path = roleFile(profile, dir, role, files);
    const source = DERIVED_FROM[role];
    // No file but a public source: derive it (autodiff / surgery), cached beside the source.
    if (!existsSync(path) && source && !files?.[role] && existsSync(roleFile(profile, dir, source, files))) {
      path = ensureDerived(role, roleFile(profile, dir, source, files)).file;
    }
    if (!existsSync(path)) {
      const how = profile === "tiny" ? `run \`dreamface models build-tiny --out ${dir}\`` : profile === "sd15" ? "run `dreamface models pull sd15`, or `dreamface models check` for details" : "export it (models/README.md)";
      throw new ModelMissingError(role, `model file for role "${role}" not found: ${path} (${how})`);
    }
    const so: ort.InferenceSession.SessionOptions = { ...sessionOptions(threads), executionProviders: device === "cuda" ? ["cuda", "cpu"] : ["cpu"] };
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, so);
    } catch (error) {
      throw new ModelMissingError(role, `cannot load model for role "${role}" from ${path}: ${(error as Error).message.split("\n")[0]} (try \`dreamface models check\`)`);
    }
    hashes[role] = await fileHash(profile, dir, role, path);
    return new NodeSession(role, session);
  }

  return {
    name: `onnxruntime-node (${device})`,
    profile,
    ...sessionCache(open),
    modelHashes: () => ({ ...hashes }),
  };
}

/** sha256 of the .onnx file: from the tiny or pull manifest when sizes agree, else computed. */
async function fileHash(profile: string, dir: string, role: string, path: string): Promise<string> {
  const size = statSync(path).size;
  if (profile === "tiny") {
    const f = readTinyManifest(dir)?.files[role];
    if (f && f.bytes === size && resolve(dir, f.file) === path) return f.sha256;
  }
  try {
    const pulled = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files?: Record<string, { sha256: string; bytes: number }> };
    const rel = path.slice(dir.length + 1);
    const f = pulled.files?.[rel];
    if (f && f.bytes === size) return f.sha256;
  } catch {
    // No pull manifest: hash the file.
  }
  return sha256File(path);
}

/**
 * Options every session of ours gets. No spin-waiting after a run: every SDS step renders on
 * all cores right after its model calls (the VJP graphs' too), and spinning intra-op threads
 * would take those cores; outputs are unchanged.
 */
function sessionOptions(threads: number | undefined): ort.InferenceSession.SessionOptions {
  return { logSeverityLevel: 3, ...(threads ? { intraOpNumThreads: threads } : {}), extra: { session: { intra_op: { allow_spinning: "0" } } } };
}

/**
 * A session over a graph built by surgery and the autodiff: in memory, or a file path when the
 * graph references external data (onnxruntime resolves it only relative to the file).
 */
export async function sessionFromBytes(role: string, bytes: Uint8Array | string, threads?: number): Promise<ModelSession & { release(): Promise<void> }> {
  const n = threads ?? (process.env.DREAMFACE_ORT_THREADS ? Number(process.env.DREAMFACE_ORT_THREADS) : undefined);
  const session = await ort.InferenceSession.create(bytes as never, sessionOptions(n));
  return new NodeSession(role, session);
}

class NodeSession implements ModelSession {
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];

  constructor(
    readonly role: string,
    private readonly session: ort.InferenceSession,
  ) {
    this.inputs = valueInfos(session.inputMetadata, session.inputNames);
    this.outputs = valueInfos(session.outputMetadata, session.outputNames);
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
    const result = await this.session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(result)) out[name] = { dtype: outputDtype(this.role, name, value.type), data: value.data as Tensor["data"], dims: [...value.dims] };
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
