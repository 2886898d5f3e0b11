// The Fig. 13 protocol end to end on the tiny profile at a toy size: kid.json has the issue's
// shape, one seed gives the same bytes, and a run killed repeatedly (stopAfter) and resumed
// writes the same kid.json and grids as an uninterrupted one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/tmp.js";
import { UserError } from "../cli/errors.js";
import { readDataset } from "./dataset-files.js";
import { ablateTextureLdm, PAPER_KID, type AblateLdmOptions } from "./ablate.js";

const base = (out: string, extra: Partial<AblateLdmOptions> = {}): AblateLdmOptions => ({
  profile: "tiny", samples: 8, subsets: 3, seed: 3, out, steps: 4, batch: 2, ddimSteps: 2, count: 12, lr: 1e-3, tokenLr: 1e-2, quiet: true, ...extra,
});

test("ablate texture-ldm: kid.json shape, and a killed-and-resumed run gives the same bytes", async () => {
  const root = tempDir("ldm-ablate-");
  const a = join(root, "a"), b = join(root, "b");
  assert.deepEqual(await ablateTextureLdm(base(a)), { dir: a, complete: true });
  const kid = JSON.parse(readFileSync(join(a, "kid.json"), "utf8"));
  assert.deepEqual(Object.keys(kid), ["protocol", "variants", "paper"]);
  assert.deepEqual(kid.paper, PAPER_KID);
  assert.equal(kid.paper.full.desired, 0.0578);
  for (const k of ["samples", "subsets", "seed", "profile", "modelHashes", "label"]) assert.ok(k in kid.protocol, k);
  assert.equal(kid.protocol.samples, 8);
  assert.match(kid.protocol.label, /test signal/);
  assert.ok(kid.protocol.modelHashes.unet && kid.protocol.modelHashes.kid_features);
  assert.deepEqual(Object.keys(kid.variants), ["wo-mp", "wo-prompt", "full"]);
  for (const v of Object.values(kid.variants) as Record<string, { mean: number; std: number }>[]) {
    assert.deepEqual(Object.keys(v), ["full", "desired"]);
    for (const s of Object.values(v)) assert.ok(Number.isFinite(s.mean) && s.std >= 0, JSON.stringify(s));
  }
  // The variants differ (they were trained differently), so the table is not one number thrice.
  assert.notEqual(kid.variants["wo-mp"].full.mean, kid.variants.full.full.mean);
  for (const v of ["wo-mp", "wo-prompt", "full"]) assert.ok(existsSync(join(a, `samples-${v}.png`)), v);
  // The generated data: the photo's albedo (../shared/faces is present here), both domains, masks marking hats/holes.
  assert.match(JSON.parse(readFileSync(join(a, "data", "dataset.json"), "utf8")).albedo, /astronaut photo .* projected to UV/);
  const ds = readDataset(join(a, "data"));
  assert.deepEqual([kid.protocol.dataset.desired, kid.protocol.dataset.undesired], [6, 6]);
  assert.ok(ds.items.filter((i) => i.domain === "desired").every((i) => i.mask.every((m) => m === 1)));
  assert.ok(ds.items.some((i) => i.domain === "undesired" && i.mask.some((m) => m === 0)), "no undesired map has a non-face element");

  // Training moved what each variant trains: the zero-initialised mask weights (input channel 4
  // of the first conv) and, for full only, C_d and C_u away from the shipped tokens.
  const model = (v: string) => {
    const m = JSON.parse(readFileSync(join(a, "variants", v, "model.json"), "utf8"));
    const b = readFileSync(join(a, "variants", v, "weights.bin"));
    return { m, f: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
  };
  for (const v of ["wo-prompt", "full"]) {
    const { m, f } = model(v);
    const conv = m.params.find((p: { name: string }) => p.name === "conv_w_21");
    assert.deepEqual(conv.dims, [16, 5, 3, 3]);
    const maskWeights = Array.from({ length: 16 * 9 }, (_, k) => f[conv.offset + Math.floor(k / 9) * 45 + 36 + (k % 9)]!);
    assert.ok(maskWeights.some((w) => w !== 0), `${v}: mask-channel weights never moved`);
  }
  assert.equal(model("wo-mp").m.channels, 4);
  assert.equal(model("wo-prompt").m.tokens, 0);
  const full = model("full");
  assert.equal(full.m.tokens, 16); // C_d ‖ C_u, 8 wide each (the tiny token table)
  const tokens = full.f.slice(full.f.length - 16);
  const { createNodeBackend } = await import("../models/backend-node.js");
  const { textureDomainTokens } = await import("../../src/engine/models/decoders.js");
  const backend = await createNodeBackend({ profile: "tiny" });
  const init = await textureDomainTokens(backend);
  await backend.dispose();
  assert.notDeepEqual(tokens.slice(0, 8), init.desired);
  assert.notDeepEqual(tokens.slice(8), init.undesired);

  // Kill after every 3 steps (train 4 + sample 1 per variant = 15 steps): 5 processes' worth.
  let runs = 0;
  while (!(await ablateTextureLdm(base(b, { stopAfter: 3, data: join(a, "data") }))).complete) runs++;
  assert.ok(runs >= 4, `resumed ${runs} times`);
  for (const f of ["kid.json", "samples-wo-mp.png", "samples-full.png"]) assert.deepEqual(readFileSync(join(b, f)), readFileSync(join(a, f)), f);

  // --variants-dir takes the trained variants instead of training: same samples, same KIDs.
  const c = join(root, "c");
  assert.equal((await ablateTextureLdm(base(c, { data: join(a, "data"), variantsDir: join(a, "variants") }))).complete, true);
  const kidC = JSON.parse(readFileSync(join(c, "kid.json"), "utf8"));
  assert.deepEqual(kidC.variants, kid.variants);
  assert.deepEqual(kidC.protocol.variantHashes, kid.protocol.variantHashes);
  assert.equal(kidC.protocol.training.from, "--variants-dir");

  // The folder belongs to its settings.
  await assert.rejects(ablateTextureLdm(base(a, { seed: 4 })), (e: Error) => e instanceof UserError && /different settings/.test(e.message));
});
