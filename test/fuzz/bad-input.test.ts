// Bad input, tried systematically (seeded): experiment files, prompts, images, videos, .glb
// assets of another topology and model folders, each through the real CLI (in-process, see
// test/helpers/cli.ts, in a worker process that is restarted when a case runs past
// CASE_TIMEOUT_MS: a bad input must fail at once, not start the work). For every case: exit 2, one line naming the problem, nothing written
// at the output path, the results folder unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fork, type ChildProcess } from "node:child_process";
import type { CliResult } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { Rng } from "../../src/engine/util/rng.js";
import { experimentCases, glbCases, imageCases, modelCases, promptCases, videoCases, type FuzzCase } from "./cases.js";
import { chromiumPath } from "../../data-loaders/browser/chromium.js";
import { loadFaceModel } from "../../data-loaders/face/load.js";
import { sharedDir } from "../../data-loaders/io/paths.js";
import { faceGlbAsset } from "../../src/engine/export/face-asset.js";
import { writeGlb } from "../../src/engine/export/gltf.js";

const SEED = 13;
const CASE_TIMEOUT_MS = 90_000; // generous: the first case loads the models, and CI machines are busy
const WORKER = new URL("./worker.ts", import.meta.url).pathname;

/** One worker at a time; `run` resolves with the result, or null when the case timed out (the worker is then killed). */
class Worker {
  private child?: ChildProcess;
  private async start(): Promise<ChildProcess> {
    const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "ignore", "ipc"] });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`fuzz worker exited (${code}) before it was ready`)));
    });
    return child;
  }
  async run(args: string[], env: Record<string, string>): Promise<CliResult | null> {
    const child = (this.child ??= await this.start());
    return new Promise((resolve) => {
      const done = (r: CliResult | null) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(r);
      };
      const onMessage = (r: CliResult) => done(r);
      const onExit = (code: number | null) => {
        this.child = undefined;
        done({ status: code, stdout: "", stderr: `the worker exited (${code}) during the case` });
      };
      const timer = setTimeout(() => {
        this.child = undefined;
        child.kill("SIGKILL");
        done(null);
      }, CASE_TIMEOUT_MS);
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send({ args, env });
    });
  }
  stop() {
    this.child?.kill("SIGKILL");
  }
}
const rng = new Rng(SEED);
chromiumPath(); // the video cases decode in Chromium: without it, fail now with the install hint
const face = writeGlb(faceGlbAsset(await loadFaceModel()));
const photo = readFileSync(join(sharedDir()!, "faces", "astronaut.png"));
const cases: FuzzCase[] = [...experimentCases(rng, 40), ...promptCases(), ...imageCases(), ...glbCases(face, photo), ...videoCases(face, photo), ...modelCases(rng, 3)];

/** Every file under dir with its size and mtime: "unchanged" means this is equal. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.push(`${relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

const families = [...new Set(cases.map((c) => c.family))];
test(`fuzz: ${cases.length} bad inputs (seed ${SEED}; ${families.map((f) => `${cases.filter((c) => c.family === f).length} ${f}`).join(", ")}) each exit 2 with one line naming the problem, writing nothing`, async () => {
  const root = tempDir("dreamface-fuzz-");
  const results = join(root, "results");
  mkdirSync(join(results, "runs", "earlier"), { recursive: true });
  writeFileSync(join(results, "runs", "earlier", "marker.txt"), "a run from before");
  const before = snapshot(results);
  const failures: string[] = [];
  const worker = new Worker();
  for (const [i, c] of cases.entries()) {
    const dir = join(root, `case-${i}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    const given = snapshot(dir);
    const out = join(dir, "out");
    const args = c.args.map((a) => a.replaceAll("$DIR", dir).replaceAll("$OUT", out));
    const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, v.replaceAll("$DIR", dir)]));
    const r = await worker.run(args, { DREAMFACE_RESULTS_DIR: results, ...env });
    if (!r) {
      failures.push(`#${i} ${c.name}: still running after ${CASE_TIMEOUT_MS / 1000} s (killed)`);
      continue;
    }
    const lines = r.stderr.trim().split("\n");
    const problems = [
      r.status !== 2 && `exit ${r.status}`,
      lines.length !== 1 && `${lines.length} lines`,
      !c.names.test(r.stderr) && `does not name ${c.names}`,
      snapshot(dir).join("\n") !== given.join("\n") && "wrote beside its inputs (the output?)",
      snapshot(results).join("\n") !== before.join("\n") && "changed the results folder",
    ].filter(Boolean);
    if (problems.length) failures.push(`#${i} ${c.name}: ${problems.join(", ")}\n    stderr: ${r.stderr.trim().slice(0, 300)}`);
  }
  worker.stop();
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} cases failed:\n${failures.join("\n")}`);
});
