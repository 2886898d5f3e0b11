// What the geometry pages need, as JSON a data loader can print: the pool (embeddings,
// anchors, prompt embeddings for a few prompts, thumbnails) for live re-ranking in the browser,
// and a carving run (manifest, trajectory, snapshots, meshes). Each payload comes from the
// newest result under results/ when there is one, else from a small labelled demo computed here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resultsDir, userCacheDir } from "../io/paths.js";
import { newestPath, stageRuns } from "../run/find.js";
import { TrajectoryLog } from "../run/trajectory.js";
import { createNodeBackend } from "../models/backend-node.js";
import { tokenize } from "../clip/merges.js";
import { clipTextEmbed } from "../../src/engine/models/text.js";
import { asFloat32 } from "../../src/engine/models/tensor.js";
import { parseObj } from "../../src/engine/face/obj.js";
import { loadPool } from "./pool-read.js";
import { defaultPoolSize, ensureDefaultPool } from "./pool-default.js";
import { mergedDir } from "./pool-files.js";
import { runGeometryStage } from "./run.js";
import { publishable } from "../io/publish.js";
import { dependencyKey } from "../io/dependency-key.js";
import { profileDir } from "../models/backend-node.js";

/** Prompts whose CLIP text embeddings ship with the ranking page (the browser has no text encoder here). */
export const PAGE_PROMPTS = [
  "an old man with a wide nose and deep wrinkles",
  "a young woman with a narrow face and high cheekbones",
  "a chubby child with round cheeks",
  "a man with a long square jaw",
  "the face of an alien with huge eyes",
];

/** The page holds at most this many candidates (embeddings and thumbnails go to the browser). */
export const PAGE_POOL_LIMIT = 1024;

const b64 = (a: Float32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

export function newestMergedPool(): string | undefined {
  const root = join(resultsDir(), "pools");
  if (!existsSync(root)) return undefined;
  return newestPath(readdirSync(root).map((d) => join(root, d)).filter((d) => existsSync(join(mergedDir(d), "merged.json"))));
}

export async function poolPagePayload(): Promise<Record<string, unknown>> {
  const found = newestMergedPool();
  const dir = found ?? (await ensureDefaultPool({ profile: "tiny", size: defaultPoolSize("tiny"), seed: 0, quiet: true }));
  const pool = await loadPool(dir, { thumbnails: true });
  const { spec } = pool;
  const n = Math.min(spec.size, PAGE_POOL_LIMIT);
  const backend = await createNodeBackend({ profile: spec.profile });
  try {
    const prompts = [];
    for (const text of PAGE_PROMPTS) prompts.push({ text, embedding: b64(asFloat32(await clipTextEmbed(backend, tokenize(text)))) });
    return publishable({
      source: found ? `results pool ${dir}` : `demo pool (${spec.size} candidates, built into the user cache because results/pools has no merged pool)`,
      label: spec.label ?? null,
      profile: spec.profile,
      size: spec.size,
      shown: n,
      seed: spec.seed,
      dim: spec.dim,
      anchorText: pool.anchors.anchorText,
      anchors: { meshImage: b64(Float32Array.from(pool.anchors.meshImage)), text: b64(Float32Array.from(pool.anchors.text)) },
      embeddings: b64(pool.embeddings.subarray(0, n * spec.dim)),
      thumbnails: pool.thumbnails!.slice(0, n).map((png) => b64(png)),
      prompts,
    });
  } finally {
    await backend.dispose();
  }
}

export function newestGeometryRun(): string | undefined {
  return newestPath(stageRuns("geometry", "carved.obj", "manifest.json"));
}

const DEMO_CARVING = { prompt: PAGE_PROMPTS[0]!, profile: "tiny", steps: 20, pool: { size: defaultPoolSize("tiny"), seed: 0 } } as const; // the CLI's default tiny pool: one pool on a clean cache

/**
 * The demo carving run's folder in the user cache, keyed by the geometry stage's code (the
 * closure of run.ts, the pool's code included), the tiny models and the demo settings.
 */
export function geometryDemoDir(): string {
  const key = dependencyKey({ entries: [new URL("./run.ts", import.meta.url).pathname], modelDirs: [profileDir(DEMO_CARVING.profile)], settings: DEMO_CARVING });
  return join(userCacheDir(), "demo-runs", `geometry-carving-${DEMO_CARVING.steps}-${key}`);
}

const objPositions = (path: string): Float32Array => parseObj(new Uint8Array(readFileSync(path)), path).positions;

export async function carvingPagePayload(): Promise<Record<string, unknown>> {
  let dir = newestGeometryRun();
  let source = `results run ${dir}`;
  if (!dir) {
    dir = geometryDemoDir();
    if (!existsSync(join(dir, "carved.obj"))) {
      const pool = await ensureDefaultPool({ profile: DEMO_CARVING.profile, ...DEMO_CARVING.pool, quiet: true });
      await runGeometryStage({ prompt: DEMO_CARVING.prompt, profile: DEMO_CARVING.profile, pool, steps: DEMO_CARVING.steps, out: dir, quiet: true });
    }
    source = "demo run (20 carving steps, tiny profile) computed by the loader because results/runs has no finished geometry run";
  }
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const trajectory = new TrajectoryLog(dir).rows();
  const snapDir = join(dir, "snapshots");
  const snapshots = existsSync(snapDir)
    ? readdirSync(snapDir)
        .filter((f) => f.endsWith("-render.png"))
        .sort()
        .map((f) => {
          const step = Number(/step-(\d+)/.exec(f)![1]);
          const normal = join(snapDir, f.replace("-render", "-normal"));
          return { step, render: readFileSync(join(snapDir, f)).toString("base64"), normal: existsSync(normal) ? readFileSync(normal).toString("base64") : null };
        })
    : [];
  return publishable({
    source,
    dir,
    label: manifest.label ?? null,
    manifest,
    trajectory,
    snapshots,
    coarse: b64(objPositions(join(dir, "coarse.obj"))),
    carved: b64(objPositions(join(dir, "carved.obj"))),
    normalMap: readFileSync(join(dir, "normal-map.png")).toString("base64"),
  });
}
