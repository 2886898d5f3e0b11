/**
 * Hair selection (paper Sec. 4.3): render the carved head wearing each candidate style from
 * the ranking views (front, ¾ left/right), score the renders against the prompt, keep the
 * best style; then render that style in each palette colour and keep the best colour.
 * The scorer is injected: clipHairScorer is the paper's (mean CLIP cosine over the views);
 * tests pass deterministic ones. With the tiny profile the CLIP graphs are seeded random
 * networks, so the choice is a test signal, not a judgement about hair.
 */
import type { Backend } from "../../../models/backend.js";
import type { ImageF32 } from "../../../image/types.js";
import { render } from "../../../raster/render.js";
import { directionalLight, rankingViews } from "../../../raster/camera.js";
import type { Camera, DirectionalLight } from "../../../raster/types.js";
import { clipImageEmbeddings, clipTextEmbedding } from "../../../clip/scoreImages.js";
import { clipScore } from "../../../clip/score.js";
import { CLIP_IMAGE_SIZE } from "../../../clip/preprocess.js";
import { headWithHair } from "./composite.js";
import { HAIR_PALETTE, colourByName, srgbUnit, type HairColour } from "./palette.js";
import type { HairMesh } from "./mesh.js";

export interface HairCandidate {
  readonly name: string;
  /** "procedural" (styles.ts) or "artist" (a fitted mesh from the hair library). */
  readonly source: "procedural" | "artist";
  /** Empty for bald. */
  readonly mesh: HairMesh;
}

/** What a scorer sees: which pass, the candidate's name and its renders (one per view). */
export interface ScoredRenders {
  readonly pass: "style" | "colour";
  readonly name: string;
  readonly images: readonly ImageF32[];
}

/** Higher is better. */
export type HairScorer = (renders: ScoredRenders) => Promise<number> | number;

export interface HairScore {
  readonly name: string;
  readonly score: number;
}

export interface HairSelection {
  readonly style: string;
  /** null when the chosen style is bald (colour does not apply). */
  readonly colour: string | null;
  readonly mesh: HairMesh;
  /** Every style's score in candidate order (empty when the style was fixed). */
  readonly styleScores: readonly HairScore[];
  /** Every colour's score on the chosen style (empty when fixed or bald). */
  readonly colourScores: readonly HairScore[];
}

export interface SelectHairOptions {
  /** Dreamface-region head (carved T†), cm. */
  head: { positions: Float32Array; triangles: Uint32Array };
  candidates: readonly HairCandidate[];
  scorer: HairScorer;
  palette?: readonly HairColour[];
  /** Colour worn during the style pass. */
  styleColour?: string;
  /** Skip a pass by fixing its answer. */
  style?: string;
  colour?: string;
  size?: number;
  views?: readonly Camera[];
  light?: DirectionalLight;
  background?: readonly number[];
}

/** A frontal key light, slightly from above and the side, so hair volume shows in the shading. */
export const HAIR_LIGHT: DirectionalLight = directionalLight(15, 25);
export const HAIR_BACKGROUND = [0.5, 0.55, 0.6] as const;

/** Renders the head wearing `hair` in `rgb` from each view. */
export function renderHair(
  head: { positions: Float32Array; triangles: Uint32Array },
  hair: HairMesh,
  rgb: readonly [number, number, number],
  { size = CLIP_IMAGE_SIZE, views = rankingViews(), light = HAIR_LIGHT, background = HAIR_BACKGROUND }: { size?: number; views?: readonly Camera[]; light?: DirectionalLight; background?: readonly number[] } = {},
): ImageF32[] {
  const { mesh, texture } = headWithHair(head, hair, rgb);
  return views.map((camera) => ({ data: render(mesh, { camera, width: size, height: size, texture, light, background }).image, width: size, height: size, channels: 3 }));
}

/** Index of the largest score; ties keep the first (candidate order is the tie-break). */
function argmax(scores: readonly HairScore[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.score > scores[best]!.score) best = i;
  return best;
}

export async function selectHair(o: SelectHairOptions): Promise<HairSelection> {
  const { head, candidates, scorer } = o;
  const palette = o.palette ?? HAIR_PALETTE;
  if (candidates.length === 0) throw new Error("selectHair: no hairstyle candidates");
  if (palette.length === 0) throw new Error("selectHair: the colour palette is empty");
  const names = new Set(candidates.map((c) => c.name));
  if (names.size !== candidates.length) throw new Error("selectHair: hairstyle names must be unique");
  const renderOpts = { size: o.size, views: o.views, light: o.light, background: o.background };
  const score = async (pass: "style" | "colour", name: string, images: ImageF32[]) => {
    const s = await scorer({ pass, name, images });
    if (!Number.isFinite(s)) throw new Error(`selectHair: the scorer returned ${s} for ${pass} "${name}"`);
    return s;
  };

  let chosen: HairCandidate;
  const styleScores: HairScore[] = [];
  if (o.style !== undefined) {
    const hit = candidates.find((c) => c.name === o.style);
    if (!hit) throw new Error(`unknown hairstyle "${o.style}"; known: ${[...names].join(", ")}`);
    chosen = hit;
  } else {
    const rgb = srgbUnit(colourByName(o.styleColour ?? "dark brown", palette));
    for (const c of candidates) styleScores.push({ name: c.name, score: await score("style", c.name, renderHair(head, c.mesh, rgb, renderOpts)) });
    chosen = candidates[argmax(styleScores)]!;
  }

  const colourScores: HairScore[] = [];
  let colour: string | null;
  if (chosen.mesh.triangles.length === 0) colour = null;
  else if (o.colour !== undefined) colour = colourByName(o.colour, palette).name;
  else {
    for (const c of palette) colourScores.push({ name: c.name, score: await score("colour", c.name, renderHair(head, chosen.mesh, srgbUnit(c), renderOpts)) });
    colour = palette[argmax(colourScores)]!.name;
  }
  return { style: chosen.name, colour, mesh: chosen.mesh, styleScores, colourScores };
}

/**
 * The paper's scorer: mean over the views of cos(CLIP image embedding, CLIP text embedding of
 * the prompt). `promptIds` = the tokenized prompt (Int32Array(77)).
 */
export function clipHairScorer(backend: Backend, promptIds: Int32Array): HairScorer {
  let text: Promise<Float32Array> | undefined;
  return async ({ images }) => {
    text ??= clipTextEmbedding(backend, promptIds);
    return clipScore(await clipImageEmbeddings(backend, images), await text).mean;
  };
}
