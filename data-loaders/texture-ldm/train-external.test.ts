// `texture-ldm train` on profiles whose UNet keeps its weights as ONNX external data (real SD 1.5
// exports: > 2 GB), on the committed sd15-shaped fixtures (test/fixtures/sd15-layouts/): the
// trained conv_in / conv_out are read from the external file, every other weight stays external,
// the training graphs are written beside the source weights and load from there. A few steps:
// the loss is finite, the weights move, and a run stopped after every step and resumed writes
// the same bytes. Outputs are test signals, not textures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/tmp.js";
import { sd15ProfileFolder } from "../../test/helpers/sd15-layouts.js";
import { writeNoiseDataset } from "../../test/helpers/ldm-dataset.js";
import { onnx } from "../../src/engine/autodiff/proto.js";
import { initializerValues } from "../../src/engine/autodiff/surgery.js";
import { externalReader, readModel } from "../models/vjp-file.js";
import { UserError } from "../cli/errors.js";
import { DOMAIN_INIT_WORDS, initialDomainTokens, runTrainCommand } from "./train.js";
import { createNodeBackend } from "../models/backend-node.js";
import { tokenEmbeddings } from "../../src/engine/models/text.js";
import { tokenize } from "../clip/merges.js";

const root = tempDir("ldm-external-");

/** Runs `body` with DREAMFACE_SD15_DIR pointing at `dir` (the sd15 profile's folder). */
async function withSd15Dir(dir: string, body: () => Promise<void>): Promise<void> {
  const previous = process.env.DREAMFACE_SD15_DIR;
  process.env.DREAMFACE_SD15_DIR = dir;
  try {
    await body();
  } finally {
    if (previous === undefined) delete process.env.DREAMFACE_SD15_DIR;
    else process.env.DREAMFACE_SD15_DIR = previous;
  }
}

const floats = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

for (const layout of ["optimum", "diffusers"]) {
  test(`texture-ldm train wo-prompt on the ${layout} layout (external data): trains conv_in/conv_out, graphs beside the weights, resume gives the same bytes`, async () => {
    const sd15 = sd15ProfileFolder(root, layout);
    const data = writeNoiseDataset(join(root, layout, "data"), 32); // 4² latents
    await withSd15Dir(sd15, async () => {
      const run = (out: string, stopAfter?: number) => runTrainCommand({ variant: "wo-prompt", data, out, profile: "sd15", steps: 2, batch: 2, seed: 5, stopAfter });
      const a = join(root, layout, "a");
      assert.deepEqual(await run(a), { dir: a, complete: true });

      // The training graphs sit beside the UNet and reference its weights file, not a copy.
      const unetDir = join(sd15, "unet");
      const derived = readdirSync(unetDir).filter((f) => f.startsWith("texture-ldm"));
      assert.equal(derived.filter((f) => f.endsWith(".derived.onnx")).length, 2, derived.join(", "));
      assert.ok(!derived.some((f) => f.endsWith(".data")), `no copy of the weights: ${derived.join(", ")}`);
      const dataFile = layout === "optimum" ? "model.onnx_data" : "weights.pb";
      for (const f of derived) {
        const g = readModel(join(unetDir, f));
        const locations = new Set((g.graph?.initializer ?? []).filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL).map((t) => t.externalData?.find((e) => e.key === "location")?.value));
        assert.deepEqual([...locations], [dataFile], f);
        assert.ok(!(g.graph?.initializer ?? []).some((t) => /conv_in\.weight|conv_out\.weight/.test(t.name ?? "")), `${f}: trained weights are graph inputs`);
      }

      // Finite losses; conv_in's mask channel (zero at step 0) and conv_out moved from the export.
      const rows = readFileSync(join(a, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { loss: number });
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => Number.isFinite(r.loss) && r.loss > 0), JSON.stringify(rows));
      const model = JSON.parse(readFileSync(join(a, "model.json"), "utf8")) as { channels: number; params: { name: string; dims: number[]; offset: number; size: number }[] };
      assert.equal(model.channels, 5);
      assert.deepEqual(model.params.map((p) => p.name).sort(), ["conv_in.bias", "conv_in.weight", "conv_out.bias", "conv_out.weight"]);
      const w = floats(readFileSync(join(a, "weights.bin")));
      const slot = (n: string) => model.params.find((p) => p.name === n)!;
      const cin = slot("conv_in.weight");
      assert.deepEqual(cin.dims, [8, 5, 3, 3]);
      const maskWeights = Array.from({ length: 8 * 9 }, (_, k) => w[cin.offset + Math.floor(k / 9) * 45 + 36 + (k % 9)]!);
      assert.ok(maskWeights.some((v) => v !== 0), "mask-channel weights never moved");
      const source = readModel(join(unetDir, "model.onnx"));
      const exported = initializerValues(source.graph!.initializer!.find((t) => t.name === "conv_out.weight")!, externalReader(unetDir));
      const cout = slot("conv_out.weight");
      const trained = w.slice(cout.offset, cout.offset + cout.size);
      assert.equal(trained.length, exported.length);
      assert.ok(trained.some((v, k) => v !== exported[k]) && trained.every((v, k) => Math.abs(v - exported[k]!) < 0.1), "conv_out moved a little");

      // Stopped after every step and resumed (the graphs are reused): the same bytes.
      const b = join(root, layout, "b");
      let runs = 0;
      while (!(await run(b, 1)).complete) runs++;
      assert.equal(runs, 1);
      for (const f of ["weights.bin", "model.json", "trajectory.jsonl"]) assert.deepEqual(readFileSync(join(b, f)), readFileSync(join(a, f)), f);
    });
  });
}

test("texture-ldm train on the optimum-fp16 layout: refused in one line (float32 weights only)", async () => {
  const sd15 = sd15ProfileFolder(root, "optimum-fp16");
  const data = writeNoiseDataset(join(root, "fp16-data"), 32);
  await withSd15Dir(sd15, () =>
    assert.rejects(
      runTrainCommand({ variant: "wo-mp", data, out: join(root, "fp16-run"), profile: "sd15", steps: 1, batch: 1, seed: 5 }),
      (e: Error) => e instanceof UserError && /cannot build the wo-mp texture LDM from the sd15 UNet: weight "conv_in\.weight" is not float32 \(ONNX type 10\): training needs a float32 export/.test(e.message) && !e.message.includes("\n"),
    ),
  );
});

test("texture-ldm train full on public weights (no texture_domain_tokens): C_d, C_u start from the token embeddings of two words, and train", async () => {
  const sd15 = sd15ProfileFolder(root, "optimum");
  const data = writeNoiseDataset(join(root, "full", "data"), 32);
  await withSd15Dir(sd15, async () => {
    const backend = await createNodeBackend({ profile: "sd15" });
    try {
      const init = await initialDomainTokens(backend);
      assert.match(init.source, /token embeddings of "albedo" \/ "shading"/);
      const albedo = await tokenEmbeddings(backend, tokenize(DOMAIN_INIT_WORDS.desired));
      const d = albedo.dims[2]!;
      assert.equal(init.desired.length, d);
      assert.deepEqual(Array.from(init.desired), Array.from((albedo.data as Float32Array).slice(d, 2 * d)));
      assert.notDeepEqual(Array.from(init.desired), Array.from(init.undesired));
    } finally {
      await backend.dispose();
    }
    const out = join(root, "full", "run");
    assert.deepEqual(await runTrainCommand({ variant: "full", data, out, profile: "sd15", steps: 1, batch: 2, seed: 5 }), { dir: out, complete: true });
  });
});
