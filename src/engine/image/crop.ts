/** Cropping. Offsets of the centre crop follow torchvision (`int(round((H − h)/2))`, half to even). */
import { checkImage, type ImageF32 } from "./types.js";

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The window [left, top, width, height] from an image. */
export function crop(image: ImageF32, left: number, top: number, width: number, height: number): ImageF32 {
  checkImage(image);
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > image.width || top + height > image.height)
    throw new Error(`crop: window ${width}×${height} at (${left}, ${top}) is outside the ${image.width}×${image.height} image`);
  const C = image.channels;
  const out = new Float32Array(width * height * C);
  for (let y = 0; y < height; y++) {
    const src = ((top + y) * image.width + left) * C;
    out.set(image.data.subarray(src, src + width * C), y * width * C);
  }
  return { data: out, width, height, channels: C };
}

/** The central width×height window (the image must be at least that large). */
export function centerCrop(image: ImageF32, width: number, height = width): ImageF32 {
  const left = roundHalfEven((image.width - width) / 2);
  const top = roundHalfEven((image.height - height) / 2);
  return crop(image, left, top, width, height);
}
