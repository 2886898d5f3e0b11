// `dreamface models pull sd15`: downloads each file to <file>.part (resuming a partial one
// with an HTTP Range request), verifies its sha256 and only then renames it into place, so a
// killed pull never leaves a file that looks complete. The base URL is overridable
// (DREAMFACE_HF_BASE) so tests can serve files from a loopback server.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, writeSync, fsyncSync, renameSync, rmSync, statSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cardsFor, SD15_EXTRA } from "../../models/cards/profiles.js";
import type { RemoteFile } from "../../models/cards/types.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { profileDir } from "./backend-node.js";

export interface PullProgress {
  file: string;
  received: number;
  total: number | undefined;
}

export interface PullOptions {
  dir: string;
  files: readonly RemoteFile[];
  baseUrl?: string;
  onProgress?: (p: PullProgress) => void;
  onWarning?: (message: string) => void;
}

export interface PulledFile {
  sha256: string;
  bytes: number;
  source: string;
  /** false when neither the card nor the server gave a sha256 to compare with. */
  verified: boolean;
}

export class PullError extends Error {
  override name = "PullError";
}

export const hubBase = (): string => (process.env.DREAMFACE_HF_BASE ?? "https://huggingface.co").replace(/\/$/, "");

export function remoteUrl(base: string, f: RemoteFile): string {
  return `${base}/${f.repo}/resolve/${encodeURIComponent(f.revision)}/${f.repoPath}`;
}

/** Every remote file of a profile (models + tokenizer). */
export function remoteFiles(profile: string): RemoteFile[] {
  if (profile === "tiny") throw new PullError("the tiny profile is built locally: run `dreamface models build-tiny`");
  return [...cardsFor(profile).flatMap((c) => c.remote ?? []), ...(profile === "sd15" ? SD15_EXTRA : [])];
}

export async function pullProfile(profile: string, o: Partial<PullOptions> = {}): Promise<Record<string, PulledFile>> {
  return pullFiles({ dir: o.dir ?? profileDir(profile), files: o.files ?? remoteFiles(profile), ...o });
}

export async function pullFiles(o: PullOptions): Promise<Record<string, PulledFile>> {
  const base = (o.baseUrl ?? hubBase()).replace(/\/$/, "");
  const manifestPath = join(o.dir, "manifest.json");
  let manifest: { files: Record<string, PulledFile> } = { files: {} };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    // First pull into this folder.
  }
  for (const f of o.files) {
    const dest = join(o.dir, f.path);
    const done = manifest.files[f.path];
    if (done && existsSync(dest) && statSync(dest).size === done.bytes) continue;
    const result = await pullOne(base, f, dest, o);
    manifest.files[f.path] = result;
    // Record each file as soon as it is verified: a later failure keeps earlier work.
    writeJsonAtomic(manifestPath, manifest);
  }
  return manifest.files;
}

async function pullOne(base: string, f: RemoteFile, dest: string, o: PullOptions): Promise<PulledFile> {
  const url = remoteUrl(base, f);
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  let offset = existsSync(part) ? statSync(part).size : 0;
  const { response, linkedSha } = await get(url, offset);
  if (response.status === 200) offset = 0; // The server ignored our Range: start over.
  else if (response.status !== 206) throw new PullError(`${f.path}: ${url} answered HTTP ${response.status}`);
  const expected = f.sha256 ?? linkedSha;
  const hash = createHash("sha256");
  if (offset > 0) for await (const chunk of createReadStream(part, { end: offset - 1 })) hash.update(chunk as Buffer);
  const length = Number(response.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(length) ? offset + length : undefined;
  const fd = openSync(part, offset > 0 ? "a" : "w");
  let received = offset;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      writeSync(fd, chunk);
      received += chunk.length;
      o.onProgress?.({ file: f.path, received, total });
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && received !== total) throw new PullError(`${f.path}: download stopped at ${received} of ${total} bytes; run pull again to resume`);
  const sha256 = hash.digest("hex");
  if (expected && sha256 !== expected) {
    rmSync(part, { force: true });
    throw new PullError(`${f.path}: sha256 mismatch (got ${sha256}, expected ${expected}); the corrupt download was deleted, run pull again`);
  }
  if (!expected) o.onWarning?.(`${f.path}: the server gave no sha256 to verify against; recorded ${sha256}`);
  renameSync(part, dest);
  return { sha256, bytes: received, source: `${f.repo}/${f.repoPath}@${f.revision}`, verified: Boolean(expected) };
}

/**
 * GET with manual redirects: the Hub puts the LFS sha256 in X-Linked-Etag on its redirect
 * response, which an automatically followed fetch would hide.
 */
async function get(url: string, offset: number): Promise<{ response: Response; linkedSha?: string }> {
  let linkedSha: string | undefined;
  let current = url;
  for (let hop = 0; hop < 6; hop++) {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: "manual" });
    } catch (error) {
      throw new PullError(`cannot reach ${current}: ${(error as Error).message} (offline? set DREAMFACE_HF_BASE to a mirror)`);
    }
    const etag = (response.headers.get("x-linked-etag") ?? response.headers.get("etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
    if (/^[0-9a-f]{64}$/.test(etag)) linkedSha ??= etag;
    if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
      await response.body?.cancel();
      current = new URL(response.headers.get("location")!, current).href;
      continue;
    }
    if (response.status === 416) {
      // The .part is already complete (or longer than the file): start over.
      await response.body?.cancel();
      offset = 0;
      continue;
    }
    return { response, ...(linkedSha ? { linkedSha } : {}) };
  }
  throw new PullError(`too many redirects from ${url}`);
}
