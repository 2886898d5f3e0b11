// Selection returns the argmax of whatever scorer it is given, over renders that really show
// the candidate: deterministic scorers stand in for CLIP so a wrong pick cannot pass by chance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../../../data-loaders/face/load.js";
import { synthesize } from "../../../face/synthesize.js";
import { PROCEDURAL_STYLES, buildStyle } from "./styles.js";
import { HAIR_PALETTE } from "./palette.js";
import { HAIR_BACKGROUND, selectHair, type HairCandidate, type ScoredRenders } from "./select.js";

const model = await loadFaceModel();
const head = { positions: synthesize(model, { region: "dreamface" }), triangles: model.regions.dreamface.triangles, landmarks68: model.landmarks68 };
const candidates: HairCandidate[] = PROCEDURAL_STYLES.map((s) => ({ name: s.name, source: "procedural", mesh: buildStyle(head, s) }));
const size = 48;

/** Fraction of pixels that are not background, over all views. */
function coverage({ images }: ScoredRenders): number {
  let n = 0, total = 0;
  for (const im of images)
    for (let p = 0; p < im.width * im.height; p++, total++)
      if (Math.abs(im.data[3 * p]! - HAIR_BACKGROUND[0]) + Math.abs(im.data[3 * p + 1]! - HAIR_BACKGROUND[1]) + Math.abs(im.data[3 * p + 2]! - HAIR_BACKGROUND[2]) > 1e-6) n++;
  return n / total;
}

test("a scorer that prefers a named style and a named colour gets exactly those", async () => {
  for (const [style, colour] of [["bun", "auburn"], ["afro", "platinum"], ["long straight", "black"]] as const) {
    const seen: string[] = [];
    const sel = await selectHair({
      head, candidates, size,
      scorer: (r) => { seen.push(`${r.pass}:${r.name}`); return r.name === (r.pass === "style" ? style : colour) ? 1 : 0; },
    });
    assert.equal(sel.style, style);
    assert.equal(sel.colour, colour);
    assert.deepEqual(sel.styleScores.map((s) => s.name), PROCEDURAL_STYLES.map((s) => s.name));
    assert.deepEqual(sel.colourScores.map((s) => s.name), HAIR_PALETTE.map((c) => c.name));
    assert.equal(seen.length, PROCEDURAL_STYLES.length + HAIR_PALETTE.length, "every style, then every colour, scored once");
    assert.ok(sel.mesh === candidates.find((c) => c.name === style)!.mesh);
  }
});

test("image-based scorers: the biggest silhouette wins the style pass, the reddest render the colour pass", async () => {
  const sel = await selectHair({
    head, candidates, size,
    scorer: (r) => {
      if (r.pass === "style") return coverage(r);
      let red = 0;
      for (const im of r.images) for (let p = 0; p < im.width * im.height; p++) red += im.data[3 * p]! - im.data[3 * p + 2]!;
      return red;
    },
  });
  const cover = Object.fromEntries(sel.styleScores.map((s) => [s.name, s.score]));
  assert.ok(cover["bald"]! < cover["buzz cut"]! && cover["short crop"]! < cover["long straight"]!, JSON.stringify(cover));
  assert.equal(sel.style, sel.styleScores.reduce((a, b) => (b.score > a.score ? b : a)).name);
  assert.ok(["long straight", "afro"].includes(sel.style), sel.style);
  assert.equal(sel.colour, "red");
});

test("bald skips the colour pass; fixed choices skip their pass; bad input is refused", async () => {
  const bald = await selectHair({ head, candidates, size, scorer: (r) => (r.name === "bald" ? 1 : 0) });
  assert.equal(bald.style, "bald");
  assert.equal(bald.colour, null);
  assert.equal(bald.colourScores.length, 0);
  const fixed = await selectHair({ head, candidates, size, style: "bob", colour: "grey", scorer: () => assert.fail("no pass should be scored") });
  assert.deepEqual([fixed.style, fixed.colour, fixed.styleScores.length, fixed.colourScores.length], ["bob", "grey", 0, 0]);
  await assert.rejects(selectHair({ head, candidates, size, style: "mullet", scorer: () => 0 }), /unknown hairstyle "mullet"/);
  await assert.rejects(selectHair({ head, candidates, size, style: "bob", colour: "green", scorer: () => 0 }), /unknown hair colour "green"/);
  await assert.rejects(selectHair({ head, candidates, size, scorer: () => NaN }), /scorer returned NaN/);
  await assert.rejects(selectHair({ head, candidates: [], size, scorer: () => 0 }), /no hairstyle candidates/);
});
