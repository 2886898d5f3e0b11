// Per-profile defaults of the texture-LDM commands. The tiny profile's are sized so the whole
// Fig. 13 protocol runs in minutes on two CPU cores (README "Texture LDM").
export interface LdmDefaults {
  steps: number;
  batch: number;
  ddimSteps: number;
  lr: number;
  tokenLr: number;
  count: number;
}

export function ldmDefaults(profile: string): LdmDefaults {
  return profile === "tiny"
    ? { steps: 200, batch: 8, ddimSteps: 10, lr: 1e-3, tokenLr: 1e-2, count: 256 }
    : { steps: 2000, batch: 1, ddimSteps: 50, lr: 1e-5, tokenLr: 1e-3, count: 1000 };
}
