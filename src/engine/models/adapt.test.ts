import { test } from "node:test";
import assert from "node:assert/strict";
import type { Backend, ModelSession, Tensor, ValueInfo } from "./backend.js";
import { conform } from "./adapt.js";
import { tensor } from "./tensor.js";
import { unetEpsPair } from "./unet.js";
import { vaeEncode, LATENT_SCALE } from "./vae.js";
import { runPositional } from "./adapt.js";

const session = (inputs: ValueInfo[], outputs: ValueInfo[] = [], run?: ModelSession["run"]): ModelSession => ({
  role: "test",
  inputs,
  outputs,
  run: run ?? (async () => ({})),
});
const ts = (n: number, dims: number[] = [1]) => tensor("float32", new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(n), dims);

test("conform casts timestep to the declared dtype and rank", () => {
  const t = ts(981);
  const scalar = conform(session([{ name: "timestep", dtype: "float32", dims: [] }]), { timestep: t }).timestep!;
  assert.deepEqual(scalar.dims, []);
  const i64 = conform(session([{ name: "timestep", dtype: "int64", dims: ["batch"] }]), { timestep: t }).timestep!;
  assert.deepEqual([i64.dtype, Array.from(i64.data as BigInt64Array)], ["int64", [981n]]);
  const f16 = conform(session([{ name: "timestep", dtype: "float16", dims: ["batch"] }]), { timestep: t }).timestep!;
  assert.deepEqual([f16.dtype, (f16.data as Uint16Array)[0]], ["float16", 0x63aa]);
  // A CFG batch [t, t] against a scalar timestep (optimum ≥ 1.24) is that scalar; distinct values are an error.
  const pair = conform(session([{ name: "timestep", dtype: "float32", dims: [] }]), { timestep: ts(7, [2]) }).timestep!;
  assert.deepEqual([pair.dims, Array.from(pair.data as Float32Array)], [[], [7]]);
  const mixed = tensor("float32", Float32Array.from([1, 2]), [2]);
  assert.throws(() => conform(session([{ name: "timestep", dtype: "float32", dims: [] }]), { timestep: mixed }), /as a scalar, got 2 different values/);
  assert.throws(() => conform(session([{ name: "sample", dtype: "float32", dims: [] }]), { timestep: t }), /needs input "sample" \(given: timestep\)/);
});

/** A fake backend whose "unet" returns sample + mean(hidden) per batch item, recording calls. */
function fakeBackend(batchDim: number | string, calls: number[]): Backend {
  const s = session(
    [{ name: "sample", dtype: "float32", dims: [batchDim, 4, "h", "w"] }, { name: "timestep", dtype: "int64", dims: [batchDim] }, { name: "encoder_hidden_states", dtype: "float32", dims: [batchDim, 77, 768] }],
    [{ name: "out_sample", dtype: "float32", dims: [batchDim, 4, "h", "w"] }],
    async (feeds) => {
      const x = feeds.sample!;
      const h = feeds.encoder_hidden_states!.data as Float32Array;
      const b = x.dims[0]!;
      calls.push(b);
      assert.equal(feeds.timestep!.dtype, "int64");
      const per = x.data.length / b;
      const out = new Float32Array(x.data.length);
      for (let i = 0; i < b; i++) for (let j = 0; j < per; j++) out[i * per + j] = (x.data as Float32Array)[i * per + j]! + h[i * 77 * 768]!;
      return { out_sample: tensor("float32", out, x.dims) };
    },
  );
  return { name: "fake", profile: "test", session: async () => s, modelHashes: () => ({}), dispose: async () => {} };
}

test("unetEpsPair uses one batch-2 call when the batch is dynamic, two calls when fixed at 1", async () => {
  const lat = ts(1, [1, 4, 2, 2]);
  const u = ts(10, [1, 77, 768]);
  const c = ts(20, [1, 77, 768]);
  for (const [dim, expected] of [["batch", [2]], [1, [1, 1]]] as const) {
    const calls: number[] = [];
    const r = await unetEpsPair(fakeBackend(dim, calls), "unet", lat, 500, u, c);
    assert.deepEqual(calls, expected);
    assert.equal((r.uncond.data as Float32Array)[0], 11);
    assert.equal((r.cond.data as Float32Array)[0], 21);
  }
});

test("vaeEncode keeps the mean of 8-channel latent_parameters and scales by 0.18215", async () => {
  const params = new Float32Array(8).map((_, i) => (i < 4 ? i + 1 : 100));
  const s = session([{ name: "sample", dtype: "float32", dims: ["b", 3, "h", "w"] }], [], async () => ({ latent_parameters: tensor("float32", params, [1, 8, 1, 1]) }));
  const backend: Backend = { name: "fake", profile: "test", session: async () => s, modelHashes: () => ({}), dispose: async () => {} };
  const z = await vaeEncode(backend, ts(0, [1, 3, 8, 8]));
  assert.deepEqual(z.dims, [1, 4, 1, 1]);
  assert.deepEqual(Array.from(z.data as Float32Array), [1, 2, 3, 4].map((v) => Math.fround(v * LATENT_SCALE)));
});

test("runPositional feeds whatever single input name the export uses", async () => {
  const s = session([{ name: "input", dtype: "float32", dims: ["b", 3, "h", "w"] }], [{ name: "output", dtype: "float32", dims: [] }], async (f) => ({ output: f.input! as Tensor }));
  const backend: Backend = { name: "fake", profile: "test", session: async () => s, modelHashes: () => ({}), dispose: async () => {} };
  const x = ts(3, [1, 3, 2, 2]);
  assert.equal(await runPositional(backend, "restore", x), x);
});
