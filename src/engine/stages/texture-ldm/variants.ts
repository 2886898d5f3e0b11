/**
 * The three texture-LDM variants of the paper's prompt-tuning ablation (Sec. 5.1, Fig. 13):
 * - wo-mp: the UNet fine-tuned on both domains, no mask channel, no prompt tuning;
 * - wo-prompt: a 5th input channel for the non-face mask B, no learned tokens;
 * - full: mask B and learned domain tokens C_d, C_u concatenated to the prompt (Eq. 9).
 */
export const LDM_VARIANTS = ["wo-mp", "wo-prompt", "full"] as const;
export type LdmVariant = (typeof LDM_VARIANTS)[number];

export interface VariantSpec {
  /** Input channel 5 carries the non-face mask B (1 = face). */
  readonly mask: boolean;
  /** Learned C_d / C_u enter the text encoder's input embeddings. */
  readonly tokens: boolean;
}

export const VARIANT_SPECS: Readonly<Record<LdmVariant, VariantSpec>> = {
  "wo-mp": { mask: false, tokens: false },
  "wo-prompt": { mask: true, tokens: false },
  full: { mask: true, tokens: true },
};

export function isLdmVariant(v: string): v is LdmVariant {
  return (LDM_VARIANTS as readonly string[]).includes(v);
}

/** The two domains of the training set: Ω_d (lighting-free albedo) and Ω_u (everything else). */
export type Domain = "desired" | "undesired";
