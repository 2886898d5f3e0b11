// `dreamface serve` from outside, as the page would use it: its token and origin checks, one
// tiny run driven through the protocol (start, events, a pause and resume), and the run folder
// against `dreamface geometry --experiment` with the same settings: same files, same bytes
// (the manifest's timings and experiment path aside).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliPath, runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { listFiles } from "../helpers/files.js";
import { defaultPoolSize, ensureDefaultPool } from "../../data-loaders/geometry/pool-default.js";
import { decodeEvent, type LiveEvent } from "../../src/components/liveProtocol.js";

const results = tempDir("live-serve-");
const experiment = { name: "serve-test", prompt: "a young woman with freckles", seed: 7, profile: "tiny", geometry: { carving: { steps: 6, renderSize: 32, normalMapSize: 16, checkpointEvery: 2, snapshotEvery: 3 }, hair: { enabled: false } } };
let child: ChildProcess;
let origin = "";
let token = "";

before(async () => {
  // The default pool first: a run that has to build it also opens CLIP's image model, whose hash
  // would then be in only one of the two manifests compared below.
  await ensureDefaultPool({ profile: "tiny", size: defaultPoolSize("tiny"), seed: 0, quiet: true });
  child = spawn(process.execPath, [cliPath, "serve", "--port", "0"], { env: { ...process.env, DREAMFACE_RESULTS_DIR: results }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const o = /listening on (http:\/\/\S+)/.exec(out);
      const t = /token: (\S+)/.exec(out);
      if (o && t) {
        origin = o[1]!;
        token = t[1]!;
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
});
after(() => {
  child.kill("SIGTERM");
});

interface Reply {
  status: number;
  body: string;
}

function call(method: string, path: string, { headers = {}, body }: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(origin + path, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Reads the run's event stream until `done` holds for the events so far. */
function follow(id: string, done: (events: LiveEvent[]) => boolean, onEvent?: (e: LiveEvent, all: LiveEvent[]) => void): Promise<LiveEvent[]> {
  return new Promise((resolve, reject) => {
    const events: LiveEvent[] = [];
    const req = request(`${origin}/api/runs/${id}/events`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const e = decodeEvent(buffer.slice(6, cut));
          buffer = buffer.slice(cut + 2);
          events.push(e);
          if (e.type === "error") reject(new Error(e.message));
          onEvent?.(e, events);
          if (done(events)) {
            req.destroy();
            resolve(events);
          }
        }
      });
    });
    req.on("error", (e) => (e.message === "socket hang up" ? undefined : reject(e)));
    req.end();
  });
}

test("the API refuses a missing or wrong token, other origins, other Host names, and paths for run ids", async () => {
  assert.equal((await call("GET", "/api/runs", { headers: { authorization: "" } })).status, 401);
  assert.equal((await call("GET", "/api/runs", { headers: { authorization: `Bearer ${token}x` } })).status, 401);
  assert.equal((await call("GET", "/api/runs", { headers: { origin: "https://evil.example" } })).status, 403);
  assert.equal((await call("GET", "/api/runs", { headers: { host: "evil.example" } })).status, 403);
  assert.equal((await call("GET", "/api/runs", { headers: { origin } })).status, 200);
  assert.equal((await call("POST", "/api/runs/..%2F..%2Fetc/resume")).status, 400);
  assert.equal((await call("POST", "/api/runs/nope/resume")).status, 404);
  assert.notEqual((await call("GET", "/%2e%2e/package.json")).status, 200);
  const bad = await call("POST", "/api/runs", { body: { experiment: { ...experiment, geometry: { carving: { lambdaGeo: -1 } } } } });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).error, /lambdaGeo/);
});

test("one run through the protocol lands in results/runs and equals the CLI run with the same settings", { timeout: 300_000 }, async () => {
  const started = await call("POST", "/api/runs", { body: { experiment, snapshotEvery: 3 } });
  assert.equal(started.status, 200, started.body);
  const { id } = JSON.parse(started.body) as { id: string };
  let paused = false;
  const events = await follow(
    id,
    (all) => all.some((e) => e.type === "status" && e.state === "done"),
    (e) => {
      // Pause after the second row, resume at once: the run must still equal an unpaused one.
      if (e.type === "row" && e.row.step === 1 && !paused) {
        paused = true;
        void call("POST", `/api/runs/${id}/pause`).then(() => call("POST", `/api/runs/${id}/resume`));
      }
    },
  );
  const rows = events.filter((e) => e.type === "row");
  assert.deepEqual(rows.map((e) => e.type === "row" && e.row.step), [0, 1, 2, 3, 4, 5]);
  assert.ok(events.some((e) => e.type === "snapshot" && e.render.length === e.size * e.size * 3));
  assert.ok(events.some((e) => e.type === "status" && e.state === "paused"));

  const served = join(results, "runs", id, "geometry");
  const expPath = join(results, "exp.json");
  writeFileSync(expPath, JSON.stringify(experiment));
  const cliDir = join(results, "cli");
  const cli = await runCliAsync(["geometry", experiment.prompt, "--experiment", expPath, "--out", cliDir], { DREAMFACE_RESULTS_DIR: results });
  assert.equal(cli.status, 0, cli.stderr);
  sameFolder(served, cliDir);
});

test("a texture-latent run: carving, then texture SDS streamed through the protocol, equals `dreamface geometry` + `dreamface texture`", { timeout: 600_000 }, async () => {
  const textured = { ...experiment, name: "serve-texture-test", geometry: { ...experiment.geometry, carving: { ...experiment.geometry.carving, steps: 2 } }, texture: { latent: { steps: 3 }, image: { steps: 0 }, pbr: { size: 16, glbTextureSize: 16 }, checkpointEvery: 2, snapshotEvery: 2 } };
  const started = await call("POST", "/api/runs", { body: { experiment: textured, snapshotEvery: 2, stage: "texture" } });
  assert.equal(started.status, 200, started.body);
  const { id } = JSON.parse(started.body) as { id: string };
  const events = await follow(id, (all) => all.some((e) => e.type === "status" && e.state === "done"));
  const first = events.find((e) => e.type === "started");
  assert.equal(first?.type === "started" && first.stage, "texture");
  // Only the texture stage streams (carving ran quietly first).
  assert.deepEqual(events.filter((e) => e.type === "row").map((e) => e.type === "row" && [e.row.step, e.row.stage]), [[0, "latent"], [1, "latent"], [2, "latent"]]);
  assert.ok(events.some((e) => e.type === "texture" && e.latent.length === e.latentSize * e.latentSize * 3 && e.diffuse.length === e.diffuseSize * e.diffuseSize * 3));
  assert.equal((await call("POST", "/api/runs", { body: { experiment: textured, stage: "paint" } })).status, 400);

  const expPath = join(results, "exp-texture.json");
  writeFileSync(expPath, JSON.stringify(textured));
  const cliGeo = join(results, "cli-texture", "geometry");
  const g = await runCliAsync(["geometry", textured.prompt, "--experiment", expPath, "--out", cliGeo], { DREAMFACE_RESULTS_DIR: results });
  assert.equal(g.status, 0, g.stderr);
  const cliTex = join(results, "cli-texture", "texture");
  const t = await runCliAsync(["texture", cliGeo, "--experiment", expPath, "--out", cliTex], { DREAMFACE_RESULTS_DIR: results });
  assert.equal(t.status, 0, t.stderr);
  const servedGeo = join(results, "runs", id, "geometry");
  sameFolder(servedGeo, cliGeo);
  // The texture stage records which geometry folder it read: the one allowed difference besides the carving test's.
  // The server's one backend per profile also lists the carving's sessions in modelHashes: the
  // texture stage's own roles must be there with the CLI's hashes.
  const servedTex = join(results, "runs", id, "texture");
  sameFolder(servedTex, cliTex, (text) => text.split(JSON.stringify(servedGeo).slice(1, -1)).join(JSON.stringify(cliGeo).slice(1, -1)), (m) => {
    delete m.inputs.geometry;
    delete m.modelHashes;
  });
  const hashes = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).modelHashes as Record<string, string>;
  const served = hashes(servedTex);
  for (const [role, hash] of Object.entries(hashes(cliTex))) assert.equal(served[role], hash, `model hash of ${role}`);
});

function sameFolder(served: string, cliDir: string, normalise: (text: string) => string = (t) => t, stripMore: (m: Record<string, any>) => void = () => {}) {
  const files = (dir: string) => listFiles(dir).filter((f) => !f.endsWith(".lock"));
  assert.deepEqual(files(served), files(cliDir));
  for (const f of files(cliDir)) {
    if (f === "manifest.json") continue;
    const a = readFileSync(join(served, f));
    const b = readFileSync(join(cliDir, f));
    assert.ok(a.equals(b) || (f.endsWith(".json") && normalise(a.toString("utf8")) === b.toString("utf8")), `${f} differs between serve and the CLI`);
  }
  const strip = (dir: string) => {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    delete m.timings;
    delete m.inputs.experiment;
    delete m.written;
    stripMore(m);
    return m;
  };
  assert.deepEqual(strip(served), strip(cliDir));
}

