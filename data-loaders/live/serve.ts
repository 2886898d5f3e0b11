// `dreamface serve`: the live page's engine on this machine's onnxruntime-node (any profile,
// CUDA when installed). Security model, in order of the checks every request meets:
//  1. it listens on a loopback address only (127.0.0.1 by default; anything else is refused);
//  2. the Host header must name that loopback address and port (defeats DNS rebinding);
//  3. a request carrying an Origin must come from the server's own origin or an --allow-origin;
//  4. every /api request needs the random token printed at start (Authorization: Bearer …),
//     compared in constant time;
//  5. runs are named by ids matching RUN_ID (one path segment of [A-Za-z0-9._-]), never paths.
// It also serves the built site (dist/) so the page and the API share one origin.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { projectRoot, resultsDir } from "../io/paths.js";
import { UserError } from "../cli/errors.js";
import { newRunId } from "../run/index.js";
import { RUN_ID } from "../evaluation/dynamic-paths.js";
import { createNodeBackend } from "../models/backend-node.js";
import { parseExperiment } from "../../src/engine/config/experiment.js";
import { encodeEvent } from "../../src/components/liveProtocol.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { LiveJob } from "./job.js";
import { STAGE_CONTROLS, type LiveStage } from "../../src/engine/live/controls.js";

/** Beside experiment.json: which stage the page steers (a restarted server resumes it so). */
const LIVE_FILE = "live.json";

function readStage(runDir: string): LiveStage {
  const path = join(runDir, LIVE_FILE);
  const stage = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { stage?: string }).stage : undefined;
  return stage === "texture" ? "texture" : "carving";
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const MAX_BODY = 1 << 20;
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".png": "image/png", ".svg": "image/svg+xml", ".txt": "text/plain", ".bin": "application/octet-stream", ".onnx": "application/octet-stream" };

export interface ServeOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Built site to serve (default: dist/ when it exists). */
  site?: string;
  /** Extra page origins allowed to call the API (e.g. `npm run dev`'s http://127.0.0.1:3000). */
  allowOrigins?: string[];
  /** Fixed token (tests); default 24 random bytes. */
  token?: string;
  profile?: string;
  quiet?: boolean;
}

export interface LiveServer {
  url: string;
  origin: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function serve(opts: ServeOptions = {}): Promise<LiveServer> {
  const host = opts.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new UserError(`--host ${host}: dreamface serve listens on loopback only (127.0.0.1, ::1 or localhost); reach it from elsewhere through an SSH tunnel`);
  for (const o of opts.allowOrigins ?? []) if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(o)) throw new UserError(`--allow-origin ${o}: only loopback origins (http://127.0.0.1:PORT, http://localhost:PORT) may call the API`);
  const token = opts.token ?? randomBytes(24).toString("base64url");
  const site = opts.site ? resolve(opts.site) : join(projectRoot, "dist");
  const jobs = new Map<string, LiveJob>();
  // One backend per profile, kept across runs (sessions load once).
  const backends = new Map<string, Promise<Backend>>();
  const sharedBackend = (profile: string) => {
    if (!backends.has(profile)) backends.set(profile, createNodeBackend({ profile }));
    return backends.get(profile)!;
  };
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const allowedOrigins = () => new Set([...[...allowedHosts()].map((h) => `http://${h}`), ...(opts.allowOrigins ?? [])]);

  function authorised(req: IncomingMessage): boolean {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpError(413, "request body over 1 MB");
      chunks.push(chunk as Buffer);
    }
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error();
      return v as Record<string, unknown>;
    } catch {
      throw new HttpError(400, "the request body is not a JSON object");
    }
  }

  /** A known job, or one resumed from results/runs/<id> (a restarted server picks up its runs). */
  async function job(id: string): Promise<LiveJob> {
    if (!RUN_ID.test(id)) throw new HttpError(400, `"${id}" is not a run id (letters, digits, . _ - only)`);
    const known = jobs.get(id);
    if (known) return known;
    const runDir = join(resultsDir(), "runs", id);
    if (!existsSync(join(runDir, "experiment.json"))) throw new HttpError(404, `no live run "${id}"`);
    const saved = parseExperiment(JSON.parse(readFileSync(join(runDir, "experiment.json"), "utf8")));
    const j = new LiveJob(id, runDir, 5, await sharedBackend(saved.profile), readStage(runDir));
    jobs.set(id, j);
    return j;
  }

  async function startRun(input: Record<string, unknown>): Promise<LiveJob> {
    let experiment;
    try {
      experiment = parseExperiment(input.experiment);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    if (!experiment.prompt?.trim()) throw new HttpError(400, "the experiment has no prompt");
    if (opts.profile && experiment.profile !== opts.profile) throw new HttpError(400, `this server runs the ${opts.profile} profile; the experiment asks for ${experiment.profile}`);
    const stage = input.stage ?? "carving";
    if (typeof stage !== "string" || !Object.hasOwn(STAGE_CONTROLS, stage)) throw new HttpError(400, `stage must be one of ${Object.keys(STAGE_CONTROLS).join(", ")}`);
    const every = Number(input.snapshotEvery ?? 5);
    if (!Number.isInteger(every) || every < 1) throw new HttpError(400, "snapshotEvery must be a positive integer");
    // One run computes at a time: starting another pauses the rest.
    for (const j of jobs.values()) j.pause();
    const id = `${newRunId()}-live-${randomBytes(3).toString("hex")}`;
    const runDir = join(resultsDir(), "runs", id);
    mkdirSync(runDir, { recursive: true });
    writeFileAtomic(join(runDir, "experiment.json"), JSON.stringify(input.experiment, null, 2) + "\n");
    writeFileAtomic(join(runDir, LIVE_FILE), JSON.stringify({ stage }) + "\n");
    const j = new LiveJob(id, runDir, every, await sharedBackend(experiment.profile), stage as LiveStage);
    jobs.set(id, j);
    void j.run();
    return j;
  }

  function events(res: ServerResponse, j: LiveJob, req: IncomingMessage): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    const off = j.subscribe((e) => res.write(`data: ${encodeEvent(e)}\n\n`));
    req.on("close", off);
  }

  async function api(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<unknown> {
    if (!authorised(req)) throw new HttpError(401, "missing or wrong token (the one dreamface serve printed at start)");
    const [, , resource, id, action] = parts; // "", "api", "runs", id, action
    if (resource !== "runs" || parts.length > 5) throw new HttpError(404, "unknown endpoint");
    if (id === undefined) {
      if (req.method === "GET") return { runs: [...jobs.values()].map((j) => ({ id: j.id, state: j.state })) };
      if (req.method === "POST") {
        const j = await startRun(await body(req));
        return { id: j.id };
      }
      throw new HttpError(405, "GET or POST /api/runs");
    }
    const j = await job(decodeURIComponent(id));
    if (action === "events" && req.method === "GET") return events(res, j, req);
    if (req.method !== "POST") throw new HttpError(405, `POST /api/runs/<id>/${action ?? ""}`);
    if (action === "pause") j.pause();
    else if (action === "resume") {
      // A run of an earlier server process continues from its newest checkpoint.
      if (!j.started) {
        for (const other of jobs.values()) other.pause();
        void j.run();
      } else j.resume();
    } else if (action === "control") {
      const { key, value } = await body(req);
      try {
        j.set(String(key), value);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
    } else throw new HttpError(404, "unknown endpoint");
    return { id: j.id, state: j.state };
  }

  function file(res: ServerResponse, pathname: string): void {
    if (!existsSync(site)) throw new HttpError(404, `no built site at ${site}: run npm run build, or pass --site`);
    let path = resolve(site, "." + decodeURIComponent(pathname));
    if (path !== site && !path.startsWith(site + sep)) throw new HttpError(400, "bad path");
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path) && existsSync(path + ".html")) path += ".html";
    if (!existsSync(path)) throw new HttpError(404, "not found");
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  }

  const server = createServer((req, res) => {
    const reply = (status: number, value: unknown) => {
      if (res.headersSent) return res.end();
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    (async () => {
      if (!allowedHosts().has(req.headers.host ?? "")) throw new HttpError(403, "Host is not this loopback server");
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins().has(origin)) throw new HttpError(403, `origin ${origin} is not allowed`);
      if (origin !== undefined) res.setHeader("access-control-allow-origin", origin);
      if (req.method === "OPTIONS") {
        res.writeHead(204, { "access-control-allow-headers": "authorization, content-type", "access-control-allow-methods": "GET, POST" });
        return res.end();
      }
      const { pathname } = new URL(req.url ?? "/", "http://x");
      const parts = pathname.split("/");
      if (parts[1] === "api") {
        const result = await api(req, res, parts);
        if (result !== undefined) reply(200, result);
        return;
      }
      file(res, pathname === "/" ? "/live" : pathname);
    })().catch((error) => reply(error instanceof HttpError ? error.status : 500, { error: (error as Error).message }));
  });

  await new Promise<void>((r, reject) => server.once("error", reject).listen(opts.port ?? 0, host, r));
  port = (server.address() as { port: number }).port;
  const origin = `http://${host === "::1" ? "[::1]" : host}:${port}`;
  const url = `${origin}/live#token=${token}`;
  if (!opts.quiet) {
    console.log(`dreamface serve: listening on ${origin} (loopback only)`);
    console.log(`token: ${token}`);
    console.log(`open ${url}`);
  }
  return {
    url,
    origin,
    token,
    server,
    async close() {
      for (const j of jobs.values()) j.pause();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      for (const b of backends.values()) await (await b).dispose();
    },
  };
}
