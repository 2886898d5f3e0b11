/**
 * (`dreamface hair` and the lead's wiring use this; data-loaders/geometry/hair.ts re-exports it.)
 * Hair for a finished geometry run (paper Sec. 4.3): reads the carved head from RUN_DIR,
 * builds the procedural styles (+ any artist styles from the hair library) on it, picks the
 * style and then the colour by CLIP score, and writes into RUN_DIR:
 *   hair.glb / hair.obj   the chosen hair mesh (glb in metres like carved.glb, obj in cm)
 *   hair-scores.json      style × score and colour × score tables, the choice, provenance
 *   hair-front.png        the carved head wearing it, front view
 * Every file is written atomically; the same run, prompt, seed and models give the same bytes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { UserError } from "../cli/errors.js";
import { profileLabel, readManifest } from "../run/index.js";
import { loadFaceModel } from "../face/load.js";
import { encodePng8 } from "../io/png.js";
import { loadHairLibrary, artistCandidates } from "./hair-library.js";
import { parseObj } from "../../src/engine/face/obj.js";
import { vertexNormals } from "../../src/engine/face/normals.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { writeObj } from "../../src/engine/export/obj.js";
import type { Backend } from "../../src/engine/models/backend.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { orbitCamera } from "../../src/engine/raster/camera.js";
import { buildAllStyles, PROCEDURAL_STYLES } from "../../src/engine/stages/geometry/hair/styles.js";
import { colourByName, HAIR_PALETTE, srgbToLinear, srgbUnit } from "../../src/engine/stages/geometry/hair/palette.js";
import { clipHairScorer, renderHair, selectHair, type HairCandidate, type HairScore, type HairScorer } from "../../src/engine/stages/geometry/hair/select.js";
import type { HairMesh } from "../../src/engine/stages/geometry/hair/mesh.js";

export interface HairRunOptions {
  /** A geometry run folder (holds carved.obj, or coarse.obj for a run stopped before the end). */
  runDir: string;
  /** Default: the prompt in the run's manifest. */
  prompt?: string;
  /** Default: the run's profile, else "tiny". */
  profile?: string;
  backend?: Backend;
  /** Seeds the procedural styles' curls. */
  seed?: number;
  style?: string;
  colour?: string;
  /** Artist hair library folder (hair-library.ts); default $DREAMFACE_HAIR_DIR or the user cache. */
  hairDir?: string;
  /** Replaces the CLIP scorer (tests). */
  scorer?: HairScorer;
  /** Render side for scoring (default 224, CLIP's input). */
  size?: number;
  quiet?: boolean;
}

export interface HairRunResult {
  style: string;
  colour: string | null;
  scores: { styles: readonly HairScore[]; colours: readonly HairScore[] };
  label?: string;
  files: Record<string, string>;
}

/** The run's carved head (dreamface region, ICT vertex order, cm) and which file it came from. */
export function readRunHead(runDir: string, model: FaceModel): { positions: Float32Array; file: string } {
  const V = model.regions.dreamface.vertexCount;
  for (const file of ["carved.obj", "coarse.obj"]) {
    const path = join(runDir, file);
    if (!existsSync(path)) continue;
    let positions: Float32Array;
    try {
      positions = parseObj(new Uint8Array(readFileSync(path)), file).positions;
    } catch (error) {
      throw new UserError(`${path} is not a readable OBJ: ${(error as Error).message}`);
    }
    if (positions.length !== V * 3) throw new UserError(`${path} has ${positions.length / 3} vertices; a geometry run's head has ${V} (the ICT dreamface region)`);
    return { positions, file };
  }
  throw new UserError(`${runDir} holds no carved.obj or coarse.obj: run \`dreamface geometry\` into it first`);
}

function hairGlb(mesh: HairMesh, colour: string | null, extras: Record<string, unknown>): Uint8Array {
  const positions = mesh.positions.map((x) => x * 0.01); // cm → glTF metres, like carved.glb
  const normals = vertexNormals(mesh.positions, mesh.triangles);
  const rgb = colour ? srgbToLinear(colourByName(colour)) : [0, 0, 0];
  return writeGlb({
    name: "hair",
    positions,
    normals,
    indices: mesh.triangles,
    // Hanging cards are single sheets: both sides must draw.
    material: { name: `hair ${colour ?? ""}`.trim(), baseColorFactor: [rgb[0]!, rgb[1]!, rgb[2]!, 1], metallicFactor: 0, roughnessFactor: 0.6, doubleSided: true },
    extras,
  });
}

export async function runHairSelection(opts: HairRunOptions): Promise<HairRunResult> {
  const runDir = resolve(opts.runDir);
  if (!existsSync(runDir)) throw new UserError(`run folder not found: ${runDir}`);
  const manifest = readManifest(runDir);
  const prompt = (opts.prompt ?? (manifest?.inputs?.prompt as string | undefined) ?? "").trim();
  if (!prompt && !opts.scorer) throw new UserError(`no prompt: ${runDir} has no manifest with one; pass --prompt`);
  const profile = opts.profile ?? manifest?.profile ?? "tiny";
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`--seed must be a non-negative integer, got ${seed}`);
  const label = profileLabel(profile);
  const model = await loadFaceModel();
  const head = readRunHead(runDir, model);
  const headMesh = { positions: head.positions, triangles: model.regions.dreamface.triangles, landmarks68: model.landmarks68 };
  const library = loadHairLibrary(opts.hairDir, model.neutral);
  const names = [...PROCEDURAL_STYLES.map((s) => s.name), ...library.map((h) => h.name)];
  if (new Set(names).size !== names.length) throw new UserError(`an artist hairstyle reuses a procedural style's name; names: ${names.join(", ")}`);
  if (opts.style !== undefined && !names.includes(opts.style)) throw new UserError(`unknown hairstyle "${opts.style}"; known: ${names.join(", ")}`);
  if (opts.colour !== undefined && !HAIR_PALETTE.some((c) => c.name === opts.colour))
    throw new UserError(`unknown hair colour "${opts.colour}"; known: ${HAIR_PALETTE.map((c) => c.name).join(", ")}`);
  const candidates: HairCandidate[] = [
    ...buildAllStyles(headMesh, undefined, seed).map((s) => ({ ...s, source: "procedural" as const })),
    ...artistCandidates(library, model.neutral, head.positions),
  ];

  let scorer = opts.scorer;
  let backend: Backend | undefined = opts.backend;
  let ownBackend = false;
  const needScores = opts.style === undefined || opts.colour === undefined;
  if (!scorer && needScores) {
    if (!backend) {
      const { createNodeBackend } = await import("../models/backend-node.js");
      backend = await createNodeBackend({ profile });
      ownBackend = true;
    }
    const { tokenize } = await import("../clip/merges.js");
    scorer = clipHairScorer(backend, tokenize(prompt));
  }
  try {
    const t0 = performance.now();
    const sel = await selectHair({
      head: headMesh,
      candidates,
      scorer: scorer ?? (() => 0),
      style: opts.style,
      colour: opts.colour,
      size: opts.size,
    });
    const ms = Math.round(performance.now() - t0);
    const chosen = candidates.find((c) => c.name === sel.style)!;
    const extras = { generator: "DreamFace Workbench hair selection", prompt, profile, style: sel.style, colour: sel.colour, ...(label ? { label } : {}) };
    const files: Record<string, string> = {};
    if (sel.mesh.triangles.length > 0) {
      writeFileAtomic(join(runDir, "hair.glb"), hairGlb(sel.mesh, sel.colour, extras));
      const comments = [`DreamFace Workbench hair: ${sel.style}, ${sel.colour}, prompt: ${prompt}`, ...(label ? [label] : [])];
      writeFileAtomic(join(runDir, "hair.obj"), writeObj({ positions: sel.mesh.positions, faceVertices: sel.mesh.triangles }, { comments }));
      files["hair.glb"] = "chosen hair mesh, metres, base colour = chosen colour";
      files["hair.obj"] = "chosen hair mesh, cm (ICT units)";
    }
    const rgb = sel.colour ? srgbUnit(colourByName(sel.colour)) : [0, 0, 0] as [number, number, number];
    const front = renderHair(headMesh, sel.mesh, rgb, { size: 256, views: [orbitCamera({ azimuth: 0 })] })[0]!;
    writeFileAtomic(join(runDir, "hair-front.png"), encodePng8(front.data, front.width, front.height, 3, label));
    files["hair-front.png"] = "carved head wearing the chosen hair, front view";
    writeJsonAtomic(join(runDir, "hair-scores.json"), {
      ...(label ? { label } : {}),
      prompt,
      profile,
      seed,
      head: head.file,
      style: sel.style,
      colour: sel.colour,
      scorer: opts.scorer ? "injected" : needScores ? "clip: mean cosine over front and ¾ views" : "none (style and colour fixed)",
      styleScores: sel.styleScores,
      colourScores: sel.colourScores,
      candidates: candidates.map((c) => ({ name: c.name, source: c.source, vertices: c.mesh.positions.length / 3, ...(c.source === "artist" ? { licence: library.find((h) => h.name === c.name)!.licence } : {}) })),
      modelHashes: backend?.modelHashes() ?? {},
      ms,
    });
    files["hair-scores.json"] = "style × score, colour × score, the choice";
    if (!opts.quiet) console.log(`hair: ${sel.style}${sel.colour ? `, ${sel.colour}` : ""} (${chosen.source}) → ${runDir}${label ? ` [${label}]` : ""}`);
    return { style: sel.style, colour: sel.colour, scores: { styles: sel.styleScores, colours: sel.colourScores }, label, files };
  } finally {
    if (ownBackend) await backend!.dispose();
  }
}
