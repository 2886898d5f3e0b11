// `dreamface setup`: puts a verified copy of ICT-FaceKit's FaceXModel folder in the user cache,
// downloaded from the pinned upstream commit or taken from a local folder (--from). Files are
// staged in a sibling folder and renamed into place only after every checksum matched, so an
// interrupted or failed setup never leaves a half-filled model behind.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { writeFileAtomic } from "../io/atomic.js";
import { sha256 } from "../io/hash.js";
import { UserError } from "../cli/errors.js";
import { ICT_COMMIT, ICT_SHA256 } from "./checksums.js";
import { findIctFile, ictCacheDir } from "./source.js";

export interface SetupOptions {
  /** Local FaceXModel folder (.obj or .obj.gz files) to verify and copy instead of downloading. */
  from?: string;
  /** Symlink the verified files of `from` instead of copying them. */
  link?: boolean;
  /** Destination (default: the user cache's ict-facekit/FaceXModel). */
  dest?: string;
  /** Replace an existing verified copy. */
  force?: boolean;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: (url: string) => Promise<Response>;
  log?: (line: string) => void;
}

export interface SetupResult {
  dir: string;
  files: number;
  source: string;
  alreadyDone?: boolean;
}

const MARKER = ".dreamface-verified.json";
export const ICT_RAW_BASE = `https://raw.githubusercontent.com/ICT-VGL/ICT-FaceKit/${ICT_COMMIT}/FaceXModel`;

function verify(name: string, bytes: Uint8Array, where: string): void {
  const got = sha256(bytes);
  if (got !== ICT_SHA256[name]) {
    throw new UserError(`${where}: checksum mismatch for ${name} (sha256 ${got.slice(0, 12)}…, expected ${ICT_SHA256[name]!.slice(0, 12)}…); it is not the file of ICT-FaceKit commit ${ICT_COMMIT.slice(0, 7)}`);
  }
}

async function download(fetchFn: (url: string) => Promise<Response>, name: string): Promise<Uint8Array> {
  const url = `${ICT_RAW_BASE}/${name}`;
  let response: Response;
  try {
    response = await fetchFn(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new UserError(
      `could not download ${url} (${cause}). If this machine is offline, copy ICT-FaceKit's FaceXModel folder here another way and run \`dreamface setup --from DIR\`, or set DREAMFACE_ICT_DIR.`,
    );
  }
  if (!response.ok) throw new UserError(`download of ${url} failed: HTTP ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

/** Runs `task` over `items` with at most `limit` in flight; after a failure no new task starts, and it
 * waits for the running ones to settle before rejecting, so nothing writes after the cleanup. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      try {
        await task(items[next++]!);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

export async function runSetup(opts: SetupOptions = {}): Promise<SetupResult> {
  const dest = resolve(opts.dest ?? ictCacheDir());
  const log = opts.log ?? (() => {});
  const names = Object.keys(ICT_SHA256).sort();
  const markerPath = join(dest, MARKER);
  if (!opts.force && existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, "utf8")) as { commit?: string };
    if (marker.commit === ICT_COMMIT) return { dir: dest, files: names.length, source: "existing", alreadyDone: true };
  }
  const from = opts.from && resolve(opts.from);
  if (from && !existsSync(from)) throw new UserError(`--from ${opts.from}: no such folder`);
  if (from) {
    const missing = names.filter((n) => !findIctFile(from, n));
    if (missing.length) throw new UserError(`--from ${opts.from}: missing ${missing.length} file(s) of the FaceXModel folder: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`);
  }
  const staging = join(dirname(dest), `.${basename(dest)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    let done = 0;
    if (from) {
      for (const name of names) {
        const path = findIctFile(from, name)!;
        const raw = readFileSync(path);
        verify(name, path.endsWith(".gz") ? gunzipSync(raw) : raw, path);
        const target = join(staging, basename(path));
        if (opts.link) symlinkSync(path, target);
        else writeFileAtomic(target, raw);
        if (++done % 20 === 0) log(`verified ${done}/${names.length}`);
      }
    } else {
      const fetchFn = opts.fetch ?? ((url: string) => fetch(url));
      log(`downloading ${names.length} files from ${ICT_RAW_BASE}`);
      await pool(names, 6, async (name) => {
        const bytes = await download(fetchFn, name);
        verify(name, bytes, `${ICT_RAW_BASE}/${name}`);
        // OBJs are stored gzipped (the loader reads both): 116 MB on disk instead of 400.
        if (name.endsWith(".obj")) writeFileAtomic(join(staging, `${name}.gz`), gzipSync(bytes, { level: 1 }));
        else writeFileAtomic(join(staging, name), bytes);
        if (++done % 20 === 0) log(`downloaded ${done}/${names.length}`);
      });
    }
    writeFileAtomic(join(staging, MARKER), JSON.stringify({ commit: ICT_COMMIT, source: from ?? ICT_RAW_BASE, files: names.length }) + "\n");
    // Swap in the verified folder; the old copy (if any) is removed only after the rename.
    const old = `${dest}.old-${process.pid}`;
    if (existsSync(dest)) renameSync(dest, old);
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(staging, dest);
    rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { dir: dest, files: names.length, source: from ?? ICT_RAW_BASE };
}
