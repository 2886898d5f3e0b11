// SDS paths of the texture stage: each generic path's backward (renderer adjoint, and for
// image space the tiny VAE's exact VJP graphs) against central finite differences of
// ⟨g, f(z)⟩, plus the texture path's conditioning (mask channel, domain token).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../../data-loaders/models/backend-node.js";
import { parseTextureConfig } from "../../../../src/engine/stages/texture/config.js";
import { createTextureModels } from "../../../../src/engine/stages/texture/guidance.js";
import { createTextureScene } from "../../../../src/engine/stages/texture/scene.js";
import { imageGenericForward, latentGenericForward, latentStep } from "../../../../src/engine/stages/texture/sds.js";
import type { TextureModels } from "../../../../src/engine/stages/texture/seams.js";
import { Rng } from "../../../../src/engine/util/rng.js";
import { dot, planeMesh, prompts } from "./fixtures.js";
import { describe, gradcheckDirectional } from "../../../helpers/gradcheck.js";

const L = 8; // latent side → 64² decoded diffuse
const backend = await createNodeBackend({ profile: "tiny" });
const models = await createTextureModels(backend, prompts(), { latentSize: L });
const scene = createTextureScene(planeMesh());
const config = parseTextureConfig({ latent: { renderSize: 16 }, image: { renderSize: 48 }, background: "solid" });

/** ⟨g, f(z)⟩ along random unit directions of z (the shared directional checker): z is 256 latents, each forward runs models. */
function fdCheck(f: (z: Float32Array) => Promise<{ scored: Float32Array; backward(g: Float32Array): Promise<Float32Array> }>, tol: number) {
  const z = new Rng(11).normals(L * L * 4).map((x) => x * 0.5);
  return gradcheckDirectional(
    async ({ z }) => ({ out: (await f(z!)).scored }),
    async ({ z }, g) => ({ z: await (await f(z!)).backward(g) }),
    { z },
    { eps: 0.05, directions: 2, tol, seed: 11 },
  );
}

test("latentGenericForward: renderer adjoint matches finite differences of ⟨g, z^r(z)⟩", async () => {
  const r = await fdCheck((z) => latentGenericForward({ config, scene }, z, Rng.derive(3, "view")), 1e-3);
  assert.ok(Math.abs(r.probes[0]!.analytic) > 1e-4, `gradient is trivially small: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});

test("imageGenericForward: E VJP · renderer adjoint · D VJP matches finite differences of ⟨g, E(R(D(z)))⟩", async () => {
  assert.equal(models.vaeGradient, "exact");
  const r = await fdCheck((z) => imageGenericForward({ config, scene, models }, z, Rng.derive(3, "view")), 2e-2);
  assert.ok(Math.abs(r.probes[0]!.analytic) > 1e-5, `gradient is trivially small: ${describe(r)}`);
  assert.ok(r.ok, describe(r));
});

test("latentStep texture path: the texture UNet sees the all-ones mask channel and the domain tokens", async () => {
  const seen: { sample?: Float32Array; hidden?: Float32Array }[] = [];
  const session = await backend.session("texture_unet");
  const spy = {
    ...backend,
    session: async (role: string) =>
      role !== "texture_unet"
        ? backend.session(role)
        : {
            ...session,
            run: async (feeds: Record<string, { data: unknown }>) => {
              seen.push({ sample: feeds.sample!.data as Float32Array, hidden: feeds.encoder_hidden_states!.data as Float32Array });
              return session.run(feeds as never);
            },
          },
  };
  const p = prompts();
  const spyModels: TextureModels = await createTextureModels(spy as typeof backend, p, { latentSize: L });
  const z = new Rng(5).normals(L * L * 4);
  const inputs = { config: parseTextureConfig({ lambdaGeneric: 0 }), models: spyModels, scene, seed: 1, step: 0, stageStep: 0, stageSteps: 10, texturePath: true, t: 500 };
  const out = await latentStep(inputs, z);
  assert.equal(seen.length, 1);
  const { sample, hidden } = seen[0]!;
  const n = L * L;
  // Batch [uncond, cond], 5 channels each: channel 4 is the non-face mask, all ones.
  assert.equal(sample!.length, 2 * 5 * n);
  for (const b of [0, 1]) for (let i = 0; i < n; i++) assert.equal(sample![b * 5 * n + 4 * n + i], 1);
  // The cond half is Q(P, C_d) through the text encoder's input embeddings (Eq. 9); the
  // unconditional half is the empty prompt, encoded normally.
  const { textureDomainTokens, encodeText } = await import("../../../../src/engine/models/index.js");
  const { encodeWithDomainTokens } = await import("../../../../src/engine/stages/texture/guidance.js");
  const { desired } = await textureDomainTokens(backend);
  const d = hidden!.length / 2;
  assert.deepEqual(Array.from(hidden!.subarray(d)), Array.from((await encodeWithDomainTokens(backend, p.texturePrompt, [desired])).data as Float32Array));
  assert.deepEqual(Array.from(hidden!.subarray(0, d)), Array.from((await encodeText(backend, p.empty)).hiddenStates.data as Float32Array));
  assert.ok(out.log.loss_tau !== undefined && out.log.loss_g === undefined);
  // With λ_g = 0 the gradient is exactly λ_τ·w(t)(ε̂ − ε): nonzero and finite.
  assert.ok(out.grad.every(Number.isFinite) && (out.log.grad_norm as number) > 0);
});

test("latentStep: same inputs and seed → identical gradient; another step → a different one", async () => {
  const z = new Rng(9).normals(L * L * 4);
  const inputs = { config, models, scene, seed: 4, step: 3, stageStep: 3, stageSteps: 10, texturePath: true, t: 700 };
  const a = await latentStep(inputs, z);
  const b = await latentStep(inputs, z);
  assert.deepEqual(Array.from(a.grad), Array.from(b.grad));
  const c = await latentStep({ ...inputs, step: 4 }, z);
  assert.notDeepEqual(Array.from(a.grad), Array.from(c.grad));
});

test("vaeGradient linear-approx: labelled, and gives a finite nonzero gradient of z's shape", async () => {
  const approx = await createTextureModels(backend, prompts(), { latentSize: L, vaeGradient: "linear-approx" });
  assert.equal(approx.vaeGradient, "linear-approx");
  const rng = new Rng(12);
  const z = rng.normals(L * L * 4).map((x) => x * 0.5);
  const exactFwd = await imageGenericForward({ config, scene, models }, z, Rng.derive(3, "view"));
  const approxFwd = await imageGenericForward({ config, scene, models: approx }, z, Rng.derive(3, "view"));
  const g = rng.normals(exactFwd.scored.length);
  const a = await approxFwd.backward(g);
  assert.equal(a.length, z.length);
  assert.ok(a.every(Number.isFinite));
  // Not exact (random tiny VAE vs SD's factors): only shape and finiteness are promised.
  assert.ok(dot(a, a) > 0);
});
