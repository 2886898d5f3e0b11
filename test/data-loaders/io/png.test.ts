import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng, decodePngBytes, encodePng, encodePng16, encodePng8, readPng, readPngLabel, writePng } from "../../../data-loaders/io/png.js";
import { profileLabel, TINY_LABEL } from "../../../data-loaders/run/manifest.js";
import { Rng } from "../../../src/engine/util/rng.js";

test("encodePng8 / encodePng16 round-trip through pngjs within one quantization step, clamping out-of-range values", () => {
  const dir = mkdtempSync(join(tmpdir(), "dreamface-png-"));
  try {
    const w = 37, h = 11; // odd sizes: no row-alignment luck
    const data = new Rng(8).normals(w * h * 3).map((v) => 0.5 + 0.4 * v);
    for (const [bits, encode] of [[8, encodePng8], [16, encodePng16]] as const) {
      const bytes = encode(data, w, h);
      assert.equal(bytes[24], bits, "IHDR bit depth");
      const path = join(dir, `x${bits}.png`);
      writeFileSync(path, bytes);
      const back = readPng(path);
      assert.equal(back.width, w);
      assert.equal(back.height, h);
      const step = 1 / (bits === 8 ? 255 : 65535);
      for (let i = 0; i < data.length; i++) assert.ok(Math.abs(back.data[i]! - Math.min(1, Math.max(0, data[i]!))) <= step / 2 + 1e-7, `${bits}-bit value ${i}`);
    }
    // A 4-channel input uses its first three channels.
    const rgba = Float32Array.from([1, 0, 0.5, 0.25]);
    writeFileSync(join(dir, "rgba.png"), encodePng8(rgba, 1, 1, 4));
    assert.deepEqual(Array.from(readPng(join(dir, "rgba.png")).data, (v) => Math.round(v * 255)), [255, 0, 128]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("encodePng keeps 1–4 channels with the matching colour type; decodePng / decodePngBytes read them back", () => {
  const expected: Record<number, { type: number; rgba: number[] }> = {
    1: { type: 0, rgba: [51, 51, 51, 255] },
    2: { type: 4, rgba: [51, 51, 51, 102] },
    3: { type: 2, rgba: [51, 102, 153, 255] },
    4: { type: 6, rgba: [51, 102, 153, 204] },
  };
  for (const channels of [1, 2, 3, 4]) {
    const pixel = Float32Array.from([0.2, 0.4, 0.6, 0.8].slice(0, channels));
    const bytes = encodePng(pixel, 1, 1, { channels });
    assert.equal(bytes[25], expected[channels]!.type, `colour type for ${channels} channels`);
    assert.deepEqual(Array.from(decodePngBytes(bytes).data), expected[channels]!.rgba);
    const floats = decodePng(bytes);
    assert.ok(Math.abs(floats.alpha[0]! - expected[channels]!.rgba[3]! / 255) < 1e-6);
  }
  assert.equal(encodePng(new Float32Array(4), 2, 2, { channels: 1, bits: 16 })[24], 16);
  assert.throws(() => encodePng(new Float32Array(5), 1, 1, { channels: 5 }), /channels must be 1–4/);
  assert.throws(() => encodePng8(new Float32Array(2), 1, 1), /expected 3 values, got 2/);
});

test("writePng writes atomically (no temp file left) and readPng names an unreadable file", () => {
  const dir = mkdtempSync(join(tmpdir(), "dreamface-png-"));
  try {
    const path = join(dir, "grey.png");
    writePng(path, Float32Array.from([0, 1, 1, 0]), 2, 2, { channels: 1 });
    assert.deepEqual(readdirSync(dir), ["grey.png"]);
    assert.deepEqual(Array.from(readPng(path).luminance, (v) => Math.round(v)), [0, 1, 1, 0]);
    writeFileSync(join(dir, "bad.png"), "not a png");
    assert.throws(() => readPng(join(dir, "bad.png")), /bad\.png is not a readable PNG/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the profile label rides in an iTXt chunk: tiny files carry the test-signal label, sd15 files claim none", () => {
  const data = new Rng(3).normals(5 * 4 * 3).map((v) => 0.5 + 0.2 * v);
  const tiny = profileLabel("tiny"), sd15 = profileLabel("sd15");
  assert.equal(tiny, TINY_LABEL);
  assert.equal(sd15, undefined);
  for (const bytes of [encodePng8(data, 5, 4, 3, tiny), encodePng16(data, 5, 4, 3, tiny), encodePng(data, 5, 4, { label: tiny })]) {
    assert.equal(readPngLabel(bytes), TINY_LABEL);
    // pngjs reads past the ancillary chunk, pixels unchanged.
    assert.deepEqual(decodePng(bytes).data, decodePng(encodePng(data, 5, 4, { bits: bytes[24] as 8 | 16 })).data);
    const text = Buffer.from(bytes).toString("utf8");
    assert.ok(text.includes("iTXt") && text.includes("test signal"), "the label is readable text in the file");
  }
  for (const bytes of [encodePng8(data, 5, 4, 3, sd15), encodePng16(data, 5, 4, 3, sd15), encodePng(data, 5, 4, { label: sd15 })]) {
    assert.equal(readPngLabel(bytes), undefined, "an sd15 file claims no label");
    assert.ok(!Buffer.from(bytes).includes("test signal"), "an sd15 file says nothing about test signals");
  }
});
