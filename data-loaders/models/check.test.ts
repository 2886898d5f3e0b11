import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/engine/util/rng.js";
import { GraphBuilder } from "../../models/tiny/graph.js";
import { buildUnet, buildVaeDecoder } from "../../models/tiny/build.js";
import onnxProto from "onnx-proto";
import { writeTinyModels } from "./build-tiny.js";
import { createNodeBackend } from "./backend-node.js";
import { runCli } from "../../test/helpers/cli.js";
import { vaeDecode } from "../../src/engine/models/vae.js";
import { f32 } from "../../src/engine/models/tensor.js";
import { checkModels, formatProblem } from "./check.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { projectRoot } from "../io/paths.js";

const root = tempDir("check-");

/** A UNet-shaped graph whose first input is called "latents" instead of "sample". */
function renamedInputUnet(): Uint8Array {
  const g = new GraphBuilder("wrong", new Rng(1));
  const x = g.input("latents", "float32", ["batch", 4, "h", "w"]);
  g.input("timestep", "float32", ["batch"]);
  g.input("encoder_hidden_states", "float32", ["batch", 77, 768]);
  g.conv(x, 4, 4, { kernel: 1 }, "out_sample");
  g.output("out_sample", "float32", ["batch", 4, "h", "w"]);
  return g.toBytes();
}

test("a freshly built tiny folder checks clean", async () => {
  const dir = join(root, "clean");
  await writeTinyModels(dir, 0, "core");
  const report = await checkModels({ profile: "tiny", dir });
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok.length, 15);
});

test("check reports missing, truncated, unparsable and wrong-signature files, one error each", async () => {
  const dir = join(root, "broken");
  await writeTinyModels(dir, 0, "core");
  unlinkSync(join(dir, "vae_decoder.onnx"));
  const te = readFileSync(join(dir, "text_encoder.onnx"));
  writeFileSync(join(dir, "text_encoder.onnx"), te.subarray(0, Math.floor(te.length / 2)));
  writeFileSync(join(dir, "restore.onnx"), "this is not a model\n".repeat(20));
  writeFileSync(join(dir, "unet.onnx"), renamedInputUnet());
  const report = await checkModels({ profile: "tiny", dir });
  const byRole = Object.fromEntries(report.problems.map((p) => [p.role, p]));
  assert.equal(report.problems.length, 4, report.problems.map(formatProblem).join("\n"));
  assert.equal(byRole.vae_decoder?.kind, "missing");
  assert.equal(byRole.text_encoder?.kind, "truncated");
  assert.ok(["unparsable", "truncated"].includes(byRole.restore!.kind));
  assert.equal(byRole.unet?.kind, "signature");
  assert.match(byRole.unet!.message, /no input "sample" \(has latents, timestep, encoder_hidden_states\)/);
  for (const p of report.problems) {
    assert.match(formatProblem(p), new RegExp(`${p.role}.*Fix: run \`dreamface models build-tiny`));
    assert.ok(p.file.startsWith(dir));
  }
});

test("sd15 layout: accepted variants pass, a wrong channel count is named, user-supplied roles say how to export", async () => {
  const dir = join(root, "sd15");
  mkdirSync(join(dir, "unet"), { recursive: true });
  mkdirSync(join(dir, "vae_decoder"), { recursive: true });
  mkdirSync(join(dir, "texture_unet"), { recursive: true });
  writeFileSync(join(dir, "unet", "model.onnx"), buildUnet(0, { timestepType: "int64" })); // int64 is an accepted variant
  writeFileSync(join(dir, "vae_decoder", "model.onnx"), buildVaeDecoder(0));
  // A texture_unet with 4 input channels where the card requires 5.
  writeFileSync(join(dir, "texture_unet", "model.onnx"), buildUnet(0, { inChannels: 4 }).slice());
  const report = await checkModels({ profile: "sd15", dir, roles: ["unet", "vae_decoder", "texture_unet", "specular_decoder"] });
  assert.deepEqual(report.ok, ["unet", "vae_decoder"]);
  const tex = report.problems.find((p) => p.role === "texture_unet")!;
  assert.equal(tex.kind, "signature");
  assert.match(tex.message, /input "sample" dim 1: expected 5, found 4/);
  const spec = report.problems.find((p) => p.role === "specular_decoder")!;
  assert.equal(spec.kind, "missing");
  assert.match(spec.fix, /no public weights.*latent_sample: float32\|float16 \[batch,4,latent_height,latent_width\]/);
});

test("`dreamface models check` exits 2 and prints one line per bad file", () => {
  const dir = join(root, "cli");
  mkdirSync(join(dir, "unet"), { recursive: true });
  writeFileSync(join(dir, "unet", "model.onnx"), renamedInputUnet());
  const r = runCli(["models", "check", dir, "--profile", "sd15", "--roles", "unet,vae_encoder"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /2 problem\(s\).*unet\/model\.onnx \(unet\): has the wrong signature: no input "sample".*and 1 more/);
  assert.match(r.stdout, /^bad .*unet\/model\.onnx \(unet\): has the wrong signature: no input "sample"/m);
  assert.match(r.stdout, /^bad .*vae_encoder\/model\.onnx \(vae_encoder\): missing\. Fix: run `dreamface models pull sd15`/m);
  const bad = runCli(["models", "check", join(root, "nope")]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no such folder/);
});

/** The tiny VAE decoder with its initializers moved to an external weights.pb (diffusers-script layout). */
function withExternalWeights(bytes: Uint8Array): { model: Uint8Array; weights: Uint8Array } {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(bytes);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph!.initializer!) {
    const raw = t.rawData!;
    t.externalData = [
      onnx.StringStringEntryProto.create({ key: "location", value: "weights.pb" }),
      onnx.StringStringEntryProto.create({ key: "offset", value: String(offset) }),
      onnx.StringStringEntryProto.create({ key: "length", value: String(raw.length) }),
    ];
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.rawData = new Uint8Array(0);
    chunks.push(raw);
    offset += raw.length;
  }
  return { model: onnx.ModelProto.encode(model).finish(), weights: Buffer.concat(chunks) };
}

test("external weights: present → loads and matches; missing or truncated → named", async () => {
  const dir = join(root, "external");
  mkdirSync(join(dir, "vae_decoder"), { recursive: true });
  const { model, weights } = withExternalWeights(buildVaeDecoder(0));
  writeFileSync(join(dir, "vae_decoder", "model.onnx"), model);
  writeFileSync(join(dir, "vae_decoder", "weights.pb"), weights);
  assert.deepEqual((await checkModels({ profile: "sd15", dir, roles: ["vae_decoder"] })).ok, ["vae_decoder"]);
  // onnxruntime-node reads the weights from beside the .onnx: same output as the inline tiny graph.
  const ext = await createNodeBackend({ profile: "sd15", modelsDir: dir });
  const inline = await createNodeBackend({ profile: "tiny" });
  const z = f32(new Rng(2).normals(16), [1, 4, 2, 2]);
  assert.deepEqual((await vaeDecode(ext, z)).data, (await vaeDecode(inline, z)).data);
  await ext.dispose();
  await inline.dispose();
  writeFileSync(join(dir, "vae_decoder", "weights.pb"), weights.subarray(0, weights.length - 10));
  const truncated = await checkModels({ profile: "sd15", dir, roles: ["vae_decoder"] });
  assert.equal(truncated.problems[0]?.kind, "truncated");
  assert.match(truncated.problems[0]!.message, /weights\.pb is truncated/);
  unlinkSync(join(dir, "vae_decoder", "weights.pb"));
  const missing = await checkModels({ profile: "sd15", dir, roles: ["vae_decoder"] });
  assert.equal(missing.problems[0]?.kind, "missing");
  assert.match(missing.problems[0]!.message, /external weights file weights\.pb is missing/);
});

/** The tiny `bytes` with its declared signature or opset edited (the weights are never read). */
function edited(bytes: Uint8Array, edit: (m: InstanceType<typeof onnxProto.onnx.ModelProto>) => void): Uint8Array {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  edit(m);
  return onnxProto.onnx.ModelProto.encode(m).finish();
}

test("sd15 cards: wrong fixed dims, dtype or opset are named expected vs found; symbolic dims and the public variants pass", async () => {
  const dir = join(root, "sd15-signature");
  mkdirSync(join(dir, "unet"), { recursive: true });
  const unet = buildUnet(0);
  const dim = (m: InstanceType<typeof onnxProto.onnx.ModelProto>, input: number, axis: number) => m.graph!.input![input]!.type!.tensorType!.shape!.dim![axis]!;
  const cases: [string, Uint8Array, RegExp | undefined][] = [
    ["SD2 width 1024", edited(unet, (m) => void (dim(m, 2, 2).dimValue = 1024)), /input "encoder_hidden_states" dim 2: expected 768, found 1024/],
    ["16 latent channels", edited(unet, (m) => void (dim(m, 0, 1).dimValue = 16)), /input "sample" dim 1: expected 4, found 16/],
    ["float64 sample", edited(unet, (m) => void (m.graph!.input![0]!.type!.tensorType!.elemType = onnxProto.onnx.TensorProto.DataType.DOUBLE)), /input "sample" dtype: expected float32 or float16, found double/],
    ["opset 11", edited(unet, (m) => void (m.opsetImport![0]!.version = 11)), /wrong opset: expected ai\.onnx ≥ 14 .*found 11/],
    ["opset 18 (optimum-onnx's default)", edited(unet, (m) => void (m.opsetImport![0]!.version = 18)), undefined],
    ["symbolic channels (diffusers dynamic axes)", edited(unet, (m) => void (dim(m, 0, 1).dimParam = "channels")), undefined],
    // The same, on a 9-channel (inpainting-shaped) UNet: the first Conv's weight gives the count away.
    ["symbolic channels, 9 read by the first Conv", edited(buildUnet(0, { inChannels: 9 }), (m) => void (dim(m, 0, 1).dimParam = "channels")), /input "sample" dim 1 \(symbolic "channels"; its first Conv reads 9 channels\): expected 4, found 9/],
  ];
  for (const [what, bytes, named] of cases) {
    writeFileSync(join(dir, "unet", "model.onnx"), bytes);
    const report = await checkModels({ profile: "sd15", dir, roles: ["unet"] });
    if (!named) assert.deepEqual(report.ok, ["unet"], `${what}: ${report.problems.map(formatProblem).join("; ")}`);
    else {
      assert.equal(report.problems.length, 1, what);
      assert.match(formatProblem(report.problems[0]!), named, what);
      assert.match(formatProblem(report.problems[0]!), /\(unet\)/, what);
    }
  }
});

test("the committed sd15-layout fixtures (diffusers, optimum, optimum-fp16) pass the sd15 cards, channel inference included", async () => {
  for (const layout of ["diffusers", "optimum", "optimum-fp16"]) {
    const dir = join(projectRoot, "test", "fixtures", "sd15-layouts", layout);
    const report = await checkModels({ profile: "sd15", dir, roles: ["unet", "vae_encoder", "vae_decoder"] });
    assert.deepEqual(report.problems.map(formatProblem), [], layout);
    assert.deepEqual(report.ok, ["unet", "vae_encoder", "vae_decoder"], layout);
  }
});
