// Types for the parts of the Khronos glTF-Validator's npm package (untyped) that tests use.
declare module "gltf-validator" {
  export interface ValidationMessage {
    code: string;
    message: string;
    severity: number; // 0 error, 1 warning, 2 info, 3 hint
    pointer?: string;
    offset?: number;
  }
  export interface ValidationInfo {
    version?: string;
    generator?: string;
    extensionsUsed?: string[];
    resources?: { pointer: string; mimeType?: string; storage: string; byteLength?: number; image?: Record<string, unknown> }[];
    animationCount?: number;
    materialCount?: number;
    hasMorphTargets?: boolean;
    hasSkins?: boolean;
    hasTextures?: boolean;
    hasDefaultScene?: boolean;
    drawCallCount?: number;
    totalVertexCount?: number;
    totalTriangleCount?: number;
    maxUVs?: number;
    maxInfluences?: number;
    maxAttributes?: number;
    /** Not reported by validator 2.0.0-dev.3.10; declared because callers test for it. */
    morphedPrimitivesCount?: number;
  }
  export interface ValidationReport {
    issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: ValidationMessage[] };
    info?: ValidationInfo;
  }
  export function validateBytes(data: Uint8Array, options?: { uri?: string; maxIssues?: number; ignoredIssues?: string[] }): Promise<ValidationReport>;
  const validator: { validateBytes: typeof validateBytes };
  export default validator;
}
