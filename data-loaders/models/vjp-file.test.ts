// `dreamface models vjp`: external weights stay external (referenced beside the forward file,
// copied into <out>.data elsewhere — onnxruntime refuses "../" locations), both results agree,
// and bad input is one line and exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { DT, onnx } from "../../src/engine/autodiff/proto.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { runCli } from "../../test/helpers/cli.js";

const W = Float32Array.from([0.5, -1, 2, 0.25]);

/** y = tanh(x·w + w) with w stored externally in weights.pb. */
function writeForward(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "weights.pb"), new Uint8Array(W.buffer));
  const info = (name: string) => ({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimParam: "batch" }, { dimValue: 4 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 14 }],
    graph: {
      name: "f",
      node: [
        { opType: "Mul", input: ["x", "w"], output: ["xw"], name: "mul" },
        { opType: "Add", input: ["xw", "w"], output: ["h"], name: "add" },
        { opType: "Tanh", input: ["h"], output: ["y"], name: "tanh" },
      ],
      initializer: [
        {
          name: "w",
          dims: [4],
          dataType: DT.FLOAT,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [{ key: "location", value: "weights.pb" }, { key: "offset", value: "0" }, { key: "length", value: "16" }],
        },
      ],
      input: [info("x")],
      output: [info("y")],
    },
  });
  const path = join(dir, "model.onnx");
  writeFileSync(path, onnx.ModelProto.encode(model).finish());
  return path;
}

async function gradX(path: string, x: Float32Array, g: Float32Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path);
  const r = await s.run({ x: new ort.Tensor("float32", x, [2, 4]), grad_y: new ort.Tensor("float32", g, [2, 4]) });
  return r.grad_x!.data as Float32Array;
}

test("models vjp keeps external weights: referenced beside the model, copied elsewhere; both exact", async () => {
  const dir = tempDir("vjp-cli-");
  const src = writeForward(join(dir, "fwd"));
  const beside = join(dir, "fwd", "vjp.onnx");
  const away = join(dir, "elsewhere", "vjp.onnx");
  for (const out of [beside, away]) {
    const r = runCli(["models", "vjp", src, "--wrt", "x", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /outputs grad_x/);
  }
  assert.ok(!existsSync(`${beside}.data`), "beside the forward, the VJP references weights.pb");
  assert.ok(!readFileSync(beside).includes(Buffer.from(W.buffer)), "the weights are not inlined");
  assert.equal(statSync(`${away}.data`).size, 16, "elsewhere, the VJP carries its own copy of the 16 weight bytes");
  const x = Float32Array.from([0.1, -0.2, 0.3, 0.4, -1, 0.5, 0.2, 0]);
  const g = Float32Array.from([1, 2, -1, 0.5, 0.3, -0.7, 1, 1]);
  const expected = x.map((v, i) => g[i]! * W[i % 4]! * (1 - Math.tanh(v * W[i % 4]! + W[i % 4]!) ** 2));
  for (const out of [beside, away]) {
    const got = await gradX(out, x, g);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${out}[${i}]: ${v} vs ${expected[i]}`));
  }
});

test("models vjp: bad input is one line naming the problem, exit 2, nothing written", () => {
  const dir = tempDir("vjp-cli-bad-");
  const src = writeForward(join(dir, "fwd"));
  const out = join(dir, "out.onnx");
  const cases: [string[], RegExp][] = [
    [["--wrt", "nope"], /"nope" is not an input of the graph \(inputs: x\)/],
    [["--wrt", "x", "--output", "z"], /"z" is not an output/],
  ];
  for (const [flags, message] of cases) {
    const r = runCli(["models", "vjp", src, ...flags, "--out", out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line, no stack: ${r.stderr}`);
    assert.ok(!existsSync(out));
  }
  const truncated = join(dir, "truncated.onnx");
  writeFileSync(truncated, readFileSync(src).subarray(0, 40));
  const r = runCli(["models", "vjp", truncated, "--wrt", "x", "--out", out]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /truncated\.onnx: /);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!existsSync(out));
});
