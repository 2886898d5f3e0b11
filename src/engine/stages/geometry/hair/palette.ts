/**
 * Hair colours as named sRGB values (what a person would pick from a swatch). Renders for
 * CLIP use the sRGB values as the albedo directly: the renderer writes display values and
 * CLIP saw sRGB photos. glTF wants linear base colours, hence srgbToLinear.
 */
export interface HairColour {
  readonly name: string;
  /** sRGB, 0–255. */
  readonly srgb: readonly [number, number, number];
}

export const HAIR_PALETTE: readonly HairColour[] = [
  { name: "black", srgb: [24, 20, 18] },
  { name: "dark brown", srgb: [59, 39, 28] },
  { name: "brown", srgb: [106, 72, 46] },
  { name: "auburn", srgb: [128, 52, 30] },
  { name: "red", srgb: [168, 64, 32] },
  { name: "strawberry blonde", srgb: [196, 132, 88] },
  { name: "blonde", srgb: [214, 180, 116] },
  { name: "platinum", srgb: [232, 226, 208] },
  { name: "grey", srgb: [150, 148, 146] },
  { name: "white", srgb: [238, 238, 236] },
];

export function colourByName(name: string, palette: readonly HairColour[] = HAIR_PALETTE): HairColour {
  const c = palette.find((x) => x.name === name);
  if (!c) throw new Error(`unknown hair colour "${name}"; known: ${palette.map((x) => x.name).join(", ")}`);
  return c;
}

/** sRGB 0–255 → display values in [0, 1] (the render albedo). */
export const srgbUnit = (c: HairColour): [number, number, number] => [c.srgb[0] / 255, c.srgb[1] / 255, c.srgb[2] / 255];

/** The sRGB transfer function inverted (IEC 61966-2-1): 0–255 → linear [0, 1]. */
export function srgbToLinear(c: HairColour): [number, number, number] {
  return srgbUnit(c).map((x) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4)) as [number, number, number];
}
