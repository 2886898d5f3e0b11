/**
 * Tiny-profile graphs of the personalized-animation networks (paper Sec. 6), with the paper's
 * layer widths and seeded random weights. Their outputs are TEST SIGNALS, not expressions:
 * they let the personalized path run end to end; trained weights would replace the files.
 *
 * - anim_e_geo: geometry_map [B,3,256,256] (positions in UV space, cm) → code [B,256]
 * - anim_e_exp: image [B,3,256,256] (face crop, RGB in [0,1]) → code [B,256]
 *   Both: 7 × (Conv k5 s2 p2 + LeakyReLU 0.2) with [32,64,128,256,512,512,512] channels
 *   (256 → 2 px), flatten (2048), linear → 256.
 * - anim_g_geo: neutral_map [B,3,256,256], code [B,256] → geometry_map [B,3,256,256]
 *   U-Net: 5 downsamplings (Conv k4 s2 p1) with [32,64,128,256,256] channels; the code is
 *   projected to 256 channels and added at the 8×8 bottleneck; 5 ConvTranspose upsamplings with
 *   skip connections; the output is neutral_map + 0.3·tanh(·) (a bounded offset in cm).
 */
import { Rng } from "../../src/engine/util/rng.js";
import { GraphBuilder } from "./graph.js";
import type { TinyModel } from "./build.js";

export const GEOMETRY_MAP_SIZE = 256;
export const EXPRESSION_CODE = 256;
const ENCODER_WIDTHS = [32, 64, 128, 256, 512, 512, 512] as const;
const UNET_WIDTHS = [32, 64, 128, 256, 256] as const;

// LeakyReLU(0.2) as Max(x, 0.2x): GraphBuilder attributes are integers only.
function leaky(g: GraphBuilder, x: string): string {
  return g.node("Max", [x, g.mul(x, g.constant([1], [0.2], "slope"))]);
}

/** He-style init for LeakyReLU so activations keep their scale through the 7 layers. */
const heStd = (fanIn: number) => Math.sqrt(2 / fanIn);

function buildEncoder(seed: number, role: "anim_e_geo" | "anim_e_exp", inputName: string): Uint8Array {
  const g = new GraphBuilder(`tiny_${role}`, Rng.derive(seed, role));
  let x = g.input(inputName, "float32", ["batch", 3, GEOMETRY_MAP_SIZE, GEOMETRY_MAP_SIZE]);
  let cin = 3;
  for (const cout of ENCODER_WIDTHS) {
    x = leaky(g, g.conv(x, cin, cout, { kernel: 5, stride: 2, pad: 2, std: heStd(cin * 25) }));
    cin = cout;
  }
  const side = GEOMETRY_MAP_SIZE >> ENCODER_WIDTHS.length; // 2
  const flat = g.flatten(x, 1);
  g.linear(flat, cin * side * side, EXPRESSION_CODE, {}, "code");
  g.output("code", "float32", ["batch", EXPRESSION_CODE]);
  return g.toBytes();
}

export function buildGeometryEncoder(seed: number): Uint8Array {
  return buildEncoder(seed, "anim_e_geo", "geometry_map");
}

export function buildExpressionEncoder(seed: number): Uint8Array {
  return buildEncoder(seed, "anim_e_exp", "image");
}

export function buildGeometryGenerator(seed: number): Uint8Array {
  const g = new GraphBuilder("tiny_anim_g_geo", Rng.derive(seed, "anim_g_geo"));
  const S = GEOMETRY_MAP_SIZE;
  const x = g.input("neutral_map", "float32", ["batch", 3, S, S]);
  const code = g.input("code", "float32", ["batch", EXPRESSION_CODE]);
  const down = { kernel: 4, stride: 2, pad: 1 };
  const skips: { name: string; channels: number }[] = [{ name: x, channels: 3 }];
  let h = x;
  let cin = 3;
  for (const cout of UNET_WIDTHS) {
    h = leaky(g, g.conv(h, cin, cout, { ...down, std: heStd(cin * 16) }));
    skips.push({ name: h, channels: cout });
    cin = cout;
  }
  // Expression code enters at the bottleneck as a per-channel offset.
  const z = g.reshape(g.linear(code, EXPRESSION_CODE, cin), [-1, cin, 1, 1]);
  h = g.add(h, z);
  skips.pop(); // the bottleneck itself is not a skip
  const upWidths = [256, 128, 64, 32, 32];
  for (const cout of upWidths) {
    h = leaky(g, g.convTranspose(h, cin, cout, { ...down, std: heStd(cin * 4) }));
    const skip = skips.pop()!;
    h = g.concat([h, skip.name], 1);
    cin = cout + skip.channels;
  }
  const offset = g.tanh(g.conv(h, cin, 3, { kernel: 3, pad: 1, std: 1 / Math.sqrt(cin * 9) }));
  g.add(x, g.mul(offset, g.constant([1], [0.3], "offset_cm")), "geometry_map");
  g.output("geometry_map", "float32", ["batch", 3, S, S]);
  return g.toBytes();
}

/** Registered with models/tiny/build.ts's buildAllModels (it imports this file when present). */
export function buildAnimationModels(seed: number): TinyModel[] {
  return [
    { role: "anim_e_geo", bytes: buildGeometryEncoder(seed) },
    { role: "anim_g_geo", bytes: buildGeometryGenerator(seed) },
    { role: "anim_e_exp", bytes: buildExpressionEncoder(seed) },
  ];
}
