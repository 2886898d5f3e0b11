// Public-weights mode end to end: an sd15 folder holding only the public roles (the tiny graphs
// under the sd15 file names, same signatures) runs `dreamface generate` to a finished asset —
// VAE VJPs derived by the backend, the texture LDM, specular/normal decoders, restore and SR
// substituted — prints the capability table before any work and records it in every manifest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cardsFor } from "../../models/cards/profiles.js";
import { buildPool } from "../geometry/pool-build.js";
import { createNodeBackend } from "../models/backend-node.js";
import { ensureTinyModels } from "../models/ensure-tiny.js";
import { defaultTinyDir } from "../models/build-tiny.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { writeSmallExperiment } from "../../test/helpers/generate.js";

const tmp = tempDir("dreamface-public-weights-");

test("generate --profile sd15 with public weights only: table first, substitutes honoured and recorded", async () => {
  await ensureTinyModels();
  const sd15 = join(tmp, "sd15");
  for (const role of ["text_encoder", "unet", "vae_encoder", "vae_decoder", "clip_text", "clip_image"]) {
    const to = join(sd15, cardsFor("sd15").find((c) => c.role === role)!.file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(defaultTinyDir(), `${role}.onnx`), to);
  }
  const pool = join(tmp, "pool");
  const backend = await createNodeBackend({ profile: "sd15", modelsDir: sd15 });
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 2, profile: "sd15", backend, quiet: true });
  await backend.dispose();
  const experiment = join(tmp, "exp.json");
  writeSmallExperiment(experiment, { name: "public-weights", seed: 2, profile: "sd15" });
  const out = join(tmp, "run");
  const r = runCli(["generate", "an old man with a grey beard", "--pool", pool, "--experiment", experiment, "--out", out], { DREAMFACE_SD15_DIR: sd15, DREAMFACE_TEST: "1" });
  assert.equal(r.status, 0, r.stderr);
  // The table comes first, before any stage reports.
  assert.match(r.stdout, /^capabilities of the sd15 profile \(geometry, texture\): 6 exact, 2 derived, 5 substituted\n/);
  assert.ok(r.stdout.indexOf("substitute: [texture] specular map") < r.stdout.indexOf("geometry stage done"));
  assert.match(r.stdout, /note: the sd15 profile has no texture LDM .*"w\/o texture" variant/);
  assert.match(r.stdout, /generate: ran geometry → texture; not run: animation/);

  const read = (f: string) => JSON.parse(readFileSync(join(out, f), "utf8"));
  const top = read("manifest.json");
  assert.equal(top.capabilities.substitutions.length, 5);
  const geometry = read("geometry/manifest.json");
  assert.deepEqual(geometry.capabilities.rows.filter((x: { status: string }) => x.status !== "exact").map((x: { id: string; status: string }) => [x.id, x.status]), [["geometry.carving-vjp", "derived"]]);
  const texture = read("texture/manifest.json");
  assert.equal(texture.config.texture.variant, "wo-texture");
  assert.equal(texture.vaeGradient, "exact VJP graphs derived from the public VAE by autodiff");
  assert.match(texture.pbr.specular, /^skin specular prior/);
  assert.match(texture.pbr.normalBlend, /^N_d alone/);
  assert.ok(existsSync(join(out, "texture", "asset.glb")) && existsSync(join(out, "texture", "specular.png")));
});
