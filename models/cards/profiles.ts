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
/** A file of the SD repo, kept at the same path in the profile folder. */
const sd = (path: string, mb: number): RemoteFile => ({ path, ...SD, repoPath: path, approxBytes: mb * MB });

const SD15_FILES: Record<string, { file: string; externalData?: string[]; remote: RemoteFile[] }> = {
  text_encoder: { file: "text_encoder/model.onnx", remote: [sd("text_encoder/model.onnx", 493)] },
  unet: {
    file: "unet/model.onnx",
    externalData: ["weights.pb"],
    remote: [sd("unet/model.onnx", 1.09), sd("unet/weights.pb", 3440)],
  },
  vae_encoder: { file: "vae_encoder/model.onnx", remote: [sd("vae_encoder/model.onnx", 137)] },
  vae_decoder: { file: "vae_decoder/model.onnx", remote: [sd("vae_decoder/model.onnx", 198)] },
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
export const SD15_EXTRA: readonly RemoteFile[] = [sd("tokenizer/vocab.json", 1), sd("tokenizer/merges.txt", 0.5)];

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
