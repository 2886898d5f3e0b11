// What a page payload may say about where files live. Report pages are meant to be published,
// so nothing a page receives names a folder of the machine that made it: a path under the
// results folder becomes its id there ("runs/<id>/geometry"), a path in the project becomes
// project-relative ("experiments/smoke.json"), and the user cache, the shared data folder,
// the home and the temp folder become "$DREAMFACE_CACHE_DIR/…", "$DREAMFACE_SHARED_DIR/…",
// "~/…" and "$TMPDIR/…". Manifests on disk keep their absolute paths (stages read them back);
// only what is shown is rewritten.
import { homedir, tmpdir } from "node:os";
import { resolve } from "node:path";
import { projectRoot, resultsDir, sharedDir, userCacheDir } from "./paths.js";

interface Prefix {
  path: string;
  /** Replaces the prefix when a path continues below it ("" = relative to it). */
  below: string;
  /** Replaces the prefix when it stands alone. */
  alone: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Base64 blobs (images, arrays) are left alone: "/tmp/" is valid base64. */
const looksBinary = (s: string) => s.startsWith("data:") || (s.length > 256 && /^[A-Za-z0-9+/=]+$/.test(s));

export interface PublishOptions {
  /** The results folder the payload was read from (default: resultsDir()). */
  results?: string;
}

/** Rewrites absolute paths in every string of a JSON-like value (plain objects and arrays). */
export function publishable<T>(value: T, { results = resultsDir() }: PublishOptions = {}): T {
  const prefixes: Prefix[] = [
    { path: resolve(results), below: "", alone: "results" },
    { path: projectRoot, below: "", alone: "." },
    { path: userCacheDir(), below: "$DREAMFACE_CACHE_DIR/", alone: "$DREAMFACE_CACHE_DIR" },
    ...(sharedDir() ? [{ path: sharedDir()!, below: "$DREAMFACE_SHARED_DIR/", alone: "$DREAMFACE_SHARED_DIR" }] : []),
    { path: resolve(tmpdir()), below: "$TMPDIR/", alone: "$TMPDIR" },
    { path: resolve(homedir()), below: "~/", alone: "~" },
  ]
    .filter((p) => p.path !== "/" && p.path.length > 1)
    // Longest first: the results folder may sit in the temp folder, the cache in the home.
    .sort((a, b) => b.path.length - a.path.length);
  const patterns = prefixes.map((p) => ({ ...p, re: new RegExp(`(?<![\\w.-])${escapeRegExp(p.path)}(/+|(?![\\w.-]))`, "g") }));
  const rewrite = (s: string): string => {
    if (looksBinary(s) || !s.includes("/")) return s;
    let out = s;
    for (const p of patterns) out = out.replace(p.re, (_m, slash: string) => (slash ? p.below : p.alone));
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return rewrite(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Absolute paths of this machine that a published payload must not contain (for tests). */
export function machinePaths(extra: readonly string[] = []): string[] {
  return [...extra, resolve(tmpdir()), resolve(homedir()), projectRoot, userCacheDir()].filter((p) => p.length > 1);
}
