// The images a run is scored on ("final renders"), in order of preference:
// 1. <run>/renders/*.png, when the stage (or the user) left finished renders there;
// 2. a finished geometry or texture run rendered here from the three ranking views (front,
//    ±45°) under a frontal light on white, as the ablation suite does: the carved mesh T† with
//    its detail normal map (untextured grey) or textured with the run's diffuse.png;
// 3. the newest snapshots/step-*-render.png (an unfinished geometry run).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ImageF32 } from "../../src/engine/image/types.js";
import { directionalLight, rankingViews } from "../../src/engine/raster/camera.js";
import { render } from "../../src/engine/raster/render.js";
import { UserError } from "../cli/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { profileLabel, type Manifest } from "../run/index.js";
import { encodePng8 } from "../io/png.js";
import { readGeometryRun } from "../texture/geometry-input.js";
import { listPngs, readImage } from "./images.js";

export const VIEW_NAMES = ["front", "left", "right"] as const;
export const EVAL_RENDER_SIZE = 224;
/** Where rendered views go, relative to the run folder. */
export const EVAL_VIEWS_DIR = join("evaluation", "views");

export interface RunImages {
  images: ImageF32[];
  /** Paths relative to the run folder. */
  files: string[];
  source: "renders" | "rendered" | "snapshot" | "folder";
}

async function renderViews(runDir: string, manifest: Manifest): Promise<RunImages | undefined> {
  if (manifest.complete === false) return undefined;
  let geometryDir: string;
  let texture: ImageF32 | undefined;
  if (manifest.stage === "geometry" && existsSync(join(runDir, "carved.obj"))) geometryDir = runDir;
  else if (manifest.stage === "texture" && existsSync(join(runDir, "diffuse.png"))) {
    const g = (manifest.inputs as { geometry?: unknown } | undefined)?.geometry;
    if (typeof g !== "string" || !existsSync(g)) return undefined;
    geometryDir = g;
    texture = readImage(join(runDir, "diffuse.png"));
  } else return undefined;
  const geo = await readGeometryRun(geometryDir);
  const images = rankingViews().map((camera) => {
    const data = render(geo.scene, {
      camera,
      width: EVAL_RENDER_SIZE,
      height: EVAL_RENDER_SIZE,
      texture: texture ?? null,
      albedo: texture ? undefined : [0.7, 0.7, 0.7],
      normalMap: geo.detailNormalMap,
      light: directionalLight(0, 10),
      background: [1, 1, 1],
    }).image;
    return { data, width: EVAL_RENDER_SIZE, height: EVAL_RENDER_SIZE, channels: 3 };
  });
  const files = VIEW_NAMES.map((v) => join(EVAL_VIEWS_DIR, `${v}.png`));
  images.forEach((img, k) => writeFileAtomic(join(runDir, files[k]!), encodePng8(img.data, img.width, img.height, 3, profileLabel(manifest.profile))));
  return { images, files, source: "rendered" };
}

export async function runImages(runDir: string, manifest: Manifest, imagesDir?: string): Promise<RunImages> {
  if (imagesDir) {
    const paths = listPngs(imagesDir, "--images folder");
    return { images: paths.map(readImage), files: paths, source: "folder" };
  }
  if (existsSync(join(runDir, "renders"))) {
    const paths = listPngs(join(runDir, "renders"), "renders folder");
    return { images: paths.map(readImage), files: paths.map((p) => p.slice(runDir.length + 1)), source: "renders" };
  }
  const rendered = await renderViews(runDir, manifest);
  if (rendered) return rendered;
  const snapshots = existsSync(join(runDir, "snapshots"))
    ? readdirSync(join(runDir, "snapshots")).filter((n) => /^step-\d+-render\.png$/.test(n)).sort()
    : [];
  const last = snapshots.at(-1);
  if (last) {
    const file = join("snapshots", last);
    return { images: [readImage(join(runDir, file))], files: [file], source: "snapshot" };
  }
  throw new UserError(`${runDir} has nothing to score: no renders/ folder, no finished geometry or texture outputs, no snapshots (pass --images FOLDER)`);
}

