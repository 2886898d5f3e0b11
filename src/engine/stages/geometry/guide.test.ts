import { test } from "node:test";
import assert from "node:assert/strict";
import { linearEncodeVjp } from "./guide.js";
import { RGB_LATENT_PINV } from "../texture/linear-rgb.js";
import { Rng } from "../../util/rng.js";

test("linearEncodeVjp is the adjoint of the linear encoder z = P·mean₈ₓ₈(x) in the guide's CHW layout", () => {
  const H = 16, h = 2, rng = new Rng(3);
  const x = rng.normals(3 * H * H);
  const g = rng.normals(4 * h * h);
  // Forward: CHW image in [−1, 1] → CHW latents.
  const z = new Float32Array(4 * h * h);
  for (let py = 0; py < h; py++)
    for (let px = 0; px < h; px++)
      for (let l = 0; l < 4; l++) {
        let v = 0;
        for (let c = 0; c < 3; c++) {
          let mean = 0;
          for (let y = 0; y < 8; y++) for (let xx = 0; xx < 8; xx++) mean += x[c * H * H + (py * 8 + y) * H + px * 8 + xx]! / 64;
          v += RGB_LATENT_PINV[l]![c]! * mean;
        }
        z[l * h * h + py * h + px] = v;
      }
  const vjp = linearEncodeVjp(H, H, g, [1, 4, h, h]);
  assert.equal(vjp.length, x.length);
  const lhs = z.reduce((s, v, i) => s + v * g[i]!, 0);
  const rhs = x.reduce((s, v, i) => s + v * vjp[i]!, 0);
  assert.ok(Math.abs(lhs - rhs) < 1e-4 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
});
