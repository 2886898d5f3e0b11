/**
 * imageCanvas: draws a float image from the engine (`[H*W*C]`, row 0 = top, values in
 * [0, 1], C = 1, 3 or 4) onto a <canvas>, clamping and converting linear values to sRGB so
 * it reads like three.js output with SRGBColorSpace.
 *
 *   display(imageCanvas({image, width: 512, height: 512, channels: 3, label: "ours"}));
 */
export interface ImageCanvasOptions {
  image: Float32Array;
  width: number;
  height: number;
  channels: number;
  /** Apply the sRGB transfer curve (default true: engine images are linear). */
  srgb?: boolean;
  /** CSS width (default: the pixel width). */
  displayWidth?: number;
}

/** The sRGB transfer curve: a linear value in [0, 1] → its encoded value in [0, 1]. */
export function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

export function imageCanvas({ image, width, height, channels: C, srgb = true, displayWidth = width }: ImageCanvasOptions): HTMLCanvasElement {
  if (image.length !== width * height * C) throw new Error(`imageCanvas: image has ${image.length} values, expected ${height}×${width}×${C}`);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${displayWidth}px`;
  canvas.style.maxWidth = "100%";
  const ctx = canvas.getContext("2d")!;
  const data = ctx.createImageData(width, height);
  const lut = new Uint8ClampedArray(4097);
  for (let i = 0; i <= 4096; i++) {
    const v = i / 4096;
    lut[i] = Math.round(255 * (srgb ? linearToSrgb(v) : v));
  }
  const q = (v: number) => lut[v <= 0 ? 0 : v >= 1 ? 4096 : Math.round(v * 4096)]!;
  for (let p = 0; p < width * height; p++) {
    const r = image[p * C]!;
    data.data[4 * p] = q(r);
    data.data[4 * p + 1] = q(C >= 3 ? image[p * C + 1]! : r);
    data.data[4 * p + 2] = q(C >= 3 ? image[p * C + 2]! : r);
    data.data[4 * p + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
  return canvas;
}
