/**
 * Plain stand-in materials for ICT's non-skin parts (its .mtl names textures we do not ship),
 * so a full-head export shows white teeth and eyes instead of skin-coloured ones. The skin
 * groups (M_Face, M_BackHead) take the asset's own material.
 */
import type { GlbMaterial } from "./gltf.js";
import type { MtlMaterial } from "./obj.js";

export const ICT_SKIN_GROUPS: readonly string[] = ["M_Face", "M_BackHead"];

interface Part {
  color: readonly [number, number, number];
  opacity?: number;
  roughness?: number;
}

const PARTS: Readonly<Record<string, Part>> = {
  M_GumsTongue: { color: [0.55, 0.22, 0.22], roughness: 0.4 },
  M_Teeth: { color: [0.85, 0.83, 0.75], roughness: 0.3 },
  M_ScleraLeft: { color: [0.9, 0.88, 0.85], roughness: 0.2 },
  M_ScleraRight: { color: [0.9, 0.88, 0.85], roughness: 0.2 },
  M_IrisLeft: { color: [0.22, 0.14, 0.08], roughness: 0.2 },
  M_IrisRight: { color: [0.22, 0.14, 0.08], roughness: 0.2 },
  // Overlays that Unreal-style eye shaders blend on top of the eyeball: nearly invisible here.
  M_LacrimalFluid: { color: [1, 1, 1], opacity: 0.15, roughness: 0.05 },
  M_EyeBlend: { color: [0.6, 0.45, 0.4], opacity: 0.2 },
  M_EyeOcclusion: { color: [0, 0, 0], opacity: 0.2 },
  M_EyeLashes: { color: [0.05, 0.04, 0.03], roughness: 0.6 },
};
const FALLBACK: Part = { color: [0.7, 0.7, 0.7] };

export function ictGlbMaterial(group: string): GlbMaterial {
  const p = PARTS[group] ?? FALLBACK;
  const [r, g, b] = p.color;
  return {
    name: group,
    baseColorFactor: [r, g, b, p.opacity ?? 1],
    roughnessFactor: p.roughness ?? 0.5,
    metallicFactor: 0,
    ...(p.opacity !== undefined ? { alphaMode: "BLEND" as const, doubleSided: true } : {}),
  };
}

export function ictMtlMaterial(group: string): MtlMaterial {
  const p = PARTS[group] ?? FALLBACK;
  return { name: group, diffuse: p.color, ...(p.opacity !== undefined ? { opacity: p.opacity } : {}) };
}
