// The sd15 code path in CI: `dreamface generate --profile sd15` end to end, with small step
// counts, on folders in each public layout, holding only what `models pull sd15` fetches. The
// UNet and VAE are torch-exported graphs in the diffusers block structure
// (test/fixtures/sd15-layouts/, made by models/export/make_fixtures.py):
//   diffusers     — unet/model.onnx + weights.pb, int64 timestep [B], vae_encoder samples
//                   latent_sample in the graph (RandomNormalLike), int32 input_ids
//   optimum       — unet/model.onnx + model.onnx_data, float32 scalar timestep,
//                   vae_encoder → 8-channel latent_parameters, int64 input_ids
//   optimum-fp16  — the same in float16
// Text encoder and CLIP towers are the tiny graphs (same signatures as the public exports).
// The VAE VJPs are derived by the autodiff; private roles are substituted, one line each; the
// asset passes the Khronos validator with zero errors. Outputs are test signals, not faces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sd15ProfileFolder } from "../../test/helpers/sd15-layouts.js";
import { buildPool } from "../geometry/pool-build.js";
import { createNodeBackend } from "../models/backend-node.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { writeSmallExperiment } from "../../test/helpers/generate.js";
import { assertValidGlb } from "../../test/helpers/gltf-validate.js";

const tmp = tempDir("dreamface-sd15-layouts-");
const profileFolder = (layout: string) => sd15ProfileFolder(tmp, layout);

for (const layout of ["diffusers", "optimum", "optimum-fp16"]) {
  test(`generate --profile sd15 on the ${layout} layout: derived VJPs, one line per substitute, a valid asset`, async () => {
    const sd15 = profileFolder(layout);
    const pool = join(tmp, layout, "pool");
    const backend = await createNodeBackend({ profile: "sd15", modelsDir: sd15 });
    await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 1, profile: "sd15", backend, quiet: true });
    await backend.dispose();
    const experiment = join(tmp, layout, "exp.json");
    writeSmallExperiment(experiment, { name: `sd15-${layout}`, seed: 1, profile: "sd15", textureSteps: 2 });
    const out = join(tmp, layout, "run");
    const r = runCli(["generate", "an old man with a grey beard", "--pool", pool, "--experiment", experiment, "--out", out], { DREAMFACE_SD15_DIR: sd15 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^capabilities of the sd15 profile \(geometry, texture\): 6 exact, 2 derived, 5 substituted\n/);
    const substitutes = r.stdout.split("\n").filter((l) => l.trimStart().startsWith("substitute: "));
    assert.deepEqual(
      substitutes.map((l) => /\] ([^:]+):/.exec(l)?.[1]),
      ["texture LDM path (Eq. 11)", "specular map", "normal map", "diffuse restoration", "super-resolution to 4K"],
      "each substitution named on one line",
    );
    for (const role of ["vae_encoder_vjp", "vae_decoder_vjp"]) {
      const source = role.replace("_vjp", "");
      assert.ok(existsSync(join(sd15, source, `${role}.derived.onnx`)), `${role} derived beside ${source}`);
    }
    const manifest = JSON.parse(readFileSync(join(out, "texture", "manifest.json"), "utf8"));
    assert.equal(manifest.vaeGradient, "exact VJP graphs derived from the public VAE by autodiff");
    await assertValidGlb(readFileSync(join(out, "texture", "asset.glb")));
  });
}
