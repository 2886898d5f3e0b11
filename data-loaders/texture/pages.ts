// What the texture pages need, as JSON a data loader prints: a texture run (manifest,
// trajectory, snapshots, PBR map thumbnails, the mesh it textured) and an ablation suite
// (comparison table, renders, before/after diffuse maps). Each comes from the newest result
// under results/runs when there is one, else from a small labelled demo computed here on the
// ICT mean face (few steps, small maps) so a clean clone builds its pages within a minute.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { userCacheDir } from "../io/paths.js";
import { dependencyKey } from "../io/dependency-key.js";
import { profileDir } from "../models/backend-node.js";
import { newestPath, stageRuns } from "../run/find.js";
import { TrajectoryLog } from "../run/trajectory.js";
import { resample } from "../../src/engine/stages/texture/resample.js";
import { runAblation } from "./ablate.js";
import { meanFaceGeometry, parseObjPositions } from "./geometry-input.js";
import { encodePng8, readPng } from "../io/png.js";
import { runTextureStage } from "./run.js";
import { publishable } from "../io/publish.js";

const DEMO_PROMPT = "the face of an old man with deep wrinkles";
const THUMB = 512;

/** A short run: enough steps to see both stages and both paths, small maps. */
const DEMO_OVERRIDES = {
  latent: { steps: 24 },
  image: { steps: 12, renderSize: 128 },
  pbr: { size: 512, glbTextureSize: 256 },
  snapshotEvery: 4,
  checkpointEvery: 12,
};

/**
 * Demo runs are cached in the user cache under a name keyed on the code they run (the import
 * closure of the texture stage and the ablation), the tiny models and the demo settings, so a
 * change never serves a stale demo (nor trips the run folder's settings check).
 */
export function demoDir(name: string, settings: unknown): string {
  const entries = ["./run.ts", "./ablate.ts"].map((f) => new URL(f, import.meta.url).pathname);
  return join(userCacheDir(), "demo-runs", `${name}-${dependencyKey({ entries, modelDirs: [profileDir("tiny")], settings })}`);
}

const b64 = (a: Float32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

/** A PNG (any size/depth) as a base64 8-bit PNG at most `size` high, aspect kept (the maps are 2:1 atlases; pages don't need 4096²). */
function thumbnail(path: string, size = THUMB): string | null {
  if (!existsSync(path)) return null;
  const img = readPng(path);
  const h = Math.min(size, img.height), w = Math.round((img.width * h) / img.height);
  // Always 8-bit: the 16-bit maps would double the payload for no visible difference.
  const small = h === img.height ? img.data : resample(img.data, img.width, img.height, 3, w, h, "lanczos3");
  return b64(encodePng8(small, w, h));
}

function snapshots(dir: string) {
  const snapDir = join(dir, "snapshots");
  if (!existsSync(snapDir)) return [];
  return readdirSync(snapDir)
    .filter((f) => f.endsWith("-latent.png"))
    .sort()
    .map((f) => {
      const diffuse = join(snapDir, f.replace("-latent", "-diffuse"));
      return { step: Number(/step-(\d+)/.exec(f)![1]), latent: readFileSync(join(snapDir, f)).toString("base64"), diffuse: existsSync(diffuse) ? readFileSync(diffuse).toString("base64") : null };
    });
}

/** T† positions of the geometry a texture run used (from its carved.obj), or the mean face for demos. */
async function meshPositions(geometryDir: string | undefined): Promise<{ positions: string; note: string }> {
  const obj = geometryDir ? join(geometryDir, "carved.obj") : undefined;
  if (obj && existsSync(obj)) return { positions: b64(parseObjPositions(readFileSync(obj, "utf8"), 14062, obj)), note: "carved T† of the geometry run" };
  const geo = await meanFaceGeometry(DEMO_PROMPT);
  return { positions: b64(geo.positions), note: "ICT mean face (demo: no geometry run)" };
}

export async function texturePagePayload(): Promise<Record<string, unknown>> {
  let dir = newestPath(stageRuns("texture", "asset.glb"));
  let source = `results run ${dir}`;
  if (!dir) {
    dir = demoDir("texture-demo", DEMO_OVERRIDES);
    if (!existsSync(join(dir, "asset.glb"))) await runTextureStage({ geometry: await meanFaceGeometry(DEMO_PROMPT), out: dir, overrides: DEMO_OVERRIDES, quiet: true });
    source = `demo run (${DEMO_OVERRIDES.latent.steps} latent + ${DEMO_OVERRIDES.image.steps} image steps, ${DEMO_OVERRIDES.pbr.size}² maps, tiny profile, ICT mean face) computed by the loader because results/runs has no finished texture run`;
  }
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { label?: string; inputs?: { geometry?: string } };
  const mesh = await meshPositions(manifest.inputs?.geometry);
  return publishable({
    source,
    dir,
    label: manifest.label ?? null,
    manifest,
    trajectory: new TrajectoryLog(dir).rows(),
    snapshots: snapshots(dir),
    maps: Object.fromEntries(
      (["diffuse", "specular", "normal"] as const).map((k) => {
        const preview = join(dir!, "previews", `${k}.png`);
        return [k, existsSync(preview) ? readFileSync(preview).toString("base64") : thumbnail(join(dir!, `${k}.png`))];
      }),
    ),
    mesh,
  });
}

export async function ablationPagePayload(): Promise<Record<string, unknown>> {
  let dir = newestPath(stageRuns("texture-ablation", "comparison.json"));
  let source = `results ablation ${dir}`;
  if (!dir) {
    const overrides = { latent: { steps: 12 }, image: { steps: 6, renderSize: 128 }, snapshotEvery: 6, checkpointEvery: 6, pbr: { size: 256, glbTextureSize: 128 } };
    dir = demoDir("texture-ablation-demo", overrides);
    if (!existsSync(join(dir, "comparison.json"))) await runAblation({ geometry: await meanFaceGeometry(DEMO_PROMPT), out: dir, overrides, quiet: true });
    source = "demo ablation (12 latent + 6 image steps per variant, tiny profile, ICT mean face) computed by the loader because results/runs has no ablation";
  }
  const comparison = JSON.parse(readFileSync(join(dir, "comparison.json"), "utf8")) as { label?: string; rows: { variant: string; dir: string }[] };
  const variants = comparison.rows.map((r) => {
    const snaps = snapshots(r.dir);
    return {
      variant: r.variant,
      before: snaps[0]?.diffuse ?? null,
      after: thumbnail(join(r.dir, "diffuse.png"), 256),
      renders: ["front", "left", "right"].map((v) => {
        const p = join(dir!, "renders", `${r.variant}-${v}.png`);
        return existsSync(p) ? readFileSync(p).toString("base64") : null;
      }),
      trajectory: new TrajectoryLog(r.dir).rows().map((row) => ({ step: row.step, stage: row.stage, loss_g: row.loss_g ?? null, loss_tau: row.loss_tau ?? null, grad_norm: row.grad_norm })),
    };
  });
  // Every variant ran with the same models: the first one's table stands for the suite; a
  // variant the table changed (full without the texture LDM) carries its own note.
  const manifests = comparison.rows.map((r) => JSON.parse(readFileSync(join(r.dir, "manifest.json"), "utf8")) as { capabilities?: unknown; variantNote?: string });
  const variantNotes = Object.fromEntries(comparison.rows.flatMap((r, i) => (manifests[i]!.variantNote ? [[r.variant, manifests[i]!.variantNote]] : [])));
  return publishable({ source, dir, label: comparison.label ?? null, comparison, variants, capabilities: manifests[0]?.capabilities ?? null, variantNotes });
}
