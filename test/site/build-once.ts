// Builds the workbench the way a clean clone on an offline machine would, once per test run:
// src/ is copied without Framework's cache (so every data loader really runs, see
// ARCHITECTURE.md point 4), results/ and DREAMFACE_CACHE_DIR are empty temp dirs (loaders must
// not need a run, and a developer's warm cache of pools, demo runs and face data cannot hide a
// clean-clone failure), and every process, loaders included, runs under scripts/no-network.js. build.test.ts and
// browser.test.ts share the result: node --test runs each file in its own process, all
// children of one runner, so the runner's pid keys the build and a lock directory serialises it.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../../data-loaders/io/paths.js";
import { listFiles } from "../helpers/files.js";

export { listFiles };

export interface BuildResult {
  /** The temp project the build ran in (its src/ is a copy; code folders are symlinks). */
  project: string;
  dist: string;
  exitCode: number | null;
  log: string;
  seconds: number;
  /** The DREAMFACE_CACHE_DIR the build ran with, and what it held before and after. */
  cache: { dir: string; before: string[]; after: string[] };
}

const FRAMEWORK_BIN = join(projectRoot, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
const NO_NETWORK = pathToFileURL(join(projectRoot, "scripts", "no-network.js")).href;
/** Loaders of other stages may run real (tiny) models; bound the whole build anyway. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

/** Environment for a build with every non-loopback request failing. */
export function offlineEnv(project: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // As `npm run build` would: Framework spawns data loaders as `tsx <file>`.
    PATH: `${join(projectRoot, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${NO_NETWORK}`.trim(),
    OBSERVABLE_TELEMETRY_DISABLE: "true",
    DREAMFACE_RESULTS_DIR: join(project, "results"),
    DREAMFACE_CACHE_DIR: join(project, "cache"),
    CI: "true",
  };
}

/** Runs `observable build` in `project`; resolves with its exit code and combined output. */
export function runBuild(project: string, env: NodeJS.ProcessEnv = offlineEnv(project)): Promise<BuildResult> {
  const start = performance.now();
  const cacheDir = env.DREAMFACE_CACHE_DIR ?? "";
  const cacheFiles = () => (cacheDir && existsSync(cacheDir) ? listFiles(cacheDir) : []);
  const before = cacheFiles();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FRAMEWORK_BIN, "build"], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    child.stderr.on("data", (chunk) => (log += chunk));
    const timer = setTimeout(() => {
      log += `\n[build-once] killed after ${BUILD_TIMEOUT_MS / 1000} s\n`;
      child.kill("SIGKILL");
    }, BUILD_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ project, dist: join(project, "dist"), exitCode, log, seconds: (performance.now() - start) / 1000, cache: { dir: cacheDir, before, after: cacheFiles() } });
    });
  });
}

/**
 * A throwaway project: `pages` (path → markdown) replace src/ when given, else src/ is copied
 * without its .observablehq cache. Code folders are symlinked, so loaders import the real code.
 */
export function makeProject(dir: string, options: { pages?: Record<string, string>; config?: string } = {}): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "results"), { recursive: true });
  mkdirSync(join(dir, "cache"), { recursive: true });
  if (options.pages) {
    for (const [path, text] of Object.entries(options.pages)) {
      mkdirSync(join(dir, "src", path, ".."), { recursive: true });
      writeFileSync(join(dir, "src", path), text);
    }
  } else {
    cpSync(join(projectRoot, "src"), join(dir, "src"), {
      recursive: true,
      filter: (source) => !relative(projectRoot, source).split(sep).includes(".observablehq"),
    });
  }
  for (const name of ["node_modules", "data-loaders", "models", "experiments", "scripts", "bin", "package.json", "tsconfig.json"]) {
    if (existsSync(join(projectRoot, name))) symlinkSync(join(projectRoot, name), join(dir, name));
  }
  if (options.config !== undefined) writeFileSync(join(dir, "observablehq.config.js"), options.config);
  else cpSync(join(projectRoot, "observablehq.config.ts"), join(dir, "observablehq.config.ts"));
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const PREFIX = "dreamface-site-";

/** Removes builds left by test runs that have ended. */
function removeStaleBuilds(): void {
  for (const name of readdirSync(tmpdir())) {
    const match = name.match(/^dreamface-site-(\d+)(\.lock)?$/);
    if (match && !alive(Number(match[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** The full site built offline, shared by every test file of this test run. */
export async function buildSiteOnce(): Promise<BuildResult> {
  const owner = process.ppid;
  const dir = join(tmpdir(), `${PREFIX}${owner}`);
  const lock = `${dir}.lock`;
  const done = join(dir, "build.json");
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as BuildResult;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file of this run is building; wait for it (the build itself is bounded).
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as BuildResult;
    removeStaleBuilds();
    const result = await runBuild(makeProject(dir));
    writeFileSync(`${done}.tmp`, JSON.stringify(result));
    renameSync(`${done}.tmp`, done);
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The page Framework was working on when a build stopped (its log names it: "load /page"). */
export function lastPage(log: string): string {
  const pages = [...log.replace(/\x1b\[[0-9;]*m/g, "").matchAll(/^load (\/\S*)/gm)].map((m) => m[1]);
  return pages.at(-1) ?? "(unknown page)";
}

