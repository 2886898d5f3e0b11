/**
 * Cards per profile: which file holds each role, and for sd15 where to download it.
 *
 * tiny: models/tiny/<role>.onnx, built by `dreamface models build-tiny` (sha256s recorded in
 *   models/tiny/manifest.json at build time).
 * sd15: a folder in the diffusers-script layout (default <user cache>/models/sd15):
 *   text_encoder/, unet/ (+ weights.pb, or model.onnx_data for optimum exports), vae_encoder/,
 *   vae_decoder/, tokenizer/, clip/text_model.onnx, clip/vision_model.onnx, and one folder
 *   per user-supplied role (<role>/model.onnx).
 */
import { ROLES } from "./roles.js";
import type { ModelCard, RemoteFile } from "./types.js";

export const PROFILES = ["tiny", "sd15"] as const;
export type Profile = (typeof PROFILES)[number];

// No commit is pinned: these machines cannot reach the Hub to read one. "main" plus the
// Hub's own LFS sha256 (X-Linked-Etag, checked by pull) is what we can honestly promise.
const SD = { repo: "onnx-community/stable-diffusion-v1-5-ONNX", revision: "main" };
const CLIP = { repo: "Xenova/clip-vit-large-patch14", revision: "main" };
const MB = 1024 * 1024;

const SD15_FILES: Record<string, { file: string; externalData?: string[]; remote: RemoteFile[] }> = {
  text_encoder: {
    file: "text_encoder/model.onnx",
    remote: [{ path: "text_encoder/model.onnx", ...SD, repoPath: "text_encoder/model.onnx", approxBytes: 493 * MB }],
  },
  unet: {
    file: "unet/model.onnx",
    externalData: ["weights.pb"],
    remote: [
      { path: "unet/model.onnx", ...SD, repoPath: "unet/model.onnx", approxBytes: 1.09 * MB },
      { path: "unet/weights.pb", ...SD, repoPath: "unet/weights.pb", approxBytes: 3440 * MB },
    ],
  },
  vae_encoder: {
    file: "vae_encoder/model.onnx",
    remote: [{ path: "vae_encoder/model.onnx", ...SD, repoPath: "vae_encoder/model.onnx", approxBytes: 137 * MB }],
  },
  vae_decoder: {
    file: "vae_decoder/model.onnx",
    remote: [{ path: "vae_decoder/model.onnx", ...SD, repoPath: "vae_decoder/model.onnx", approxBytes: 198 * MB }],
  },
  clip_text: {
    file: "clip/text_model.onnx",
    remote: [{ path: "clip/text_model.onnx", ...CLIP, repoPath: "onnx/text_model.onnx", approxBytes: 495 * MB }],
  },
  clip_image: {
    file: "clip/vision_model.onnx",
    remote: [{ path: "clip/vision_model.onnx", ...CLIP, repoPath: "onnx/vision_model.onnx", approxBytes: 1220 * MB }],
  },
};

/** Tokenizer files pulled with sd15 (not models, but the same download and verify path). */
export const SD15_EXTRA: readonly RemoteFile[] = [
  { path: "tokenizer/vocab.json", ...SD, repoPath: "tokenizer/vocab.json", approxBytes: 1 * MB },
  { path: "tokenizer/merges.txt", ...SD, repoPath: "tokenizer/merges.txt", approxBytes: 0.5 * MB },
];

export function cardsFor(profile: string): ModelCard[] {
  if (profile === "tiny") {
    return Object.entries(ROLES).map(([role, sig]) => ({
      role,
      profile,
      file: `${role}.onnx`,
      ...sig,
      source: "built by `dreamface models build-tiny` (seeded random weights; outputs are test signals, not faces)",
    }));
  }
  if (profile === "sd15") {
    return Object.entries(ROLES).map(([role, sig]) => {
      const f = SD15_FILES[role];
      return {
        role,
        profile,
        file: f?.file ?? `${role}/model.onnx`,
        ...(f?.externalData ? { externalData: f.externalData } : {}),
        ...sig,
        source: f
          ? `Hugging Face ${f.remote.map((r) => `${r.repo}/${r.repoPath}@${r.revision}`).join(", ")} (\`dreamface models pull sd15\`)`
          : "user-supplied: no public weights; export your own ONNX with this signature (models/README.md)",
        ...(f ? { remote: f.remote } : {}),
      };
    });
  }
  throw new Error(`unknown model profile "${profile}" (known: ${PROFILES.join(", ")})`);
}

export function cardFor(profile: string, role: string): ModelCard {
  const card = cardsFor(profile).find((c) => c.role === role);
  if (!card) throw new Error(`profile "${profile}" has no role "${role}" (roles: ${Object.keys(ROLES).join(", ")})`);
  return card;
}
