/**
 * A float image: row-major, origin top-left, channels last (`[H*W*C]`), the renderer's layout.
 * Values are usually in [0, 1]; the image helpers do not assume a range.
 */
export interface ImageF32 {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Throws when `data` does not hold width×height×channels values. */
export function checkImage(image: ImageF32, what = "image"): void {
  const { data, width, height, channels } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && Number.isInteger(channels)) || width < 1 || height < 1 || channels < 1)
    throw new Error(`${what}: width, height and channels must be positive integers, got ${width}×${height}×${channels}`);
  if (data.length !== width * height * channels)
    throw new Error(`${what}: expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${data.length}`);
}
