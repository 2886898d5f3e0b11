// Reusable check for every .glb a test writes: the Khronos glTF-Validator must report zero errors.
import assert from "node:assert/strict";
import validator, { type ValidationReport } from "gltf-validator";

/** Validates `bytes`; fails the test with the error messages if there is any error. Returns the report. */
export async function assertValidGlb(bytes: Uint8Array, name = "asset.glb"): Promise<ValidationReport> {
  const report = await validator.validateBytes(bytes, { uri: name, maxIssues: 50 });
  const errors = report.issues.messages.filter((m) => m.severity === 0);
  assert.equal(
    report.issues.numErrors,
    0,
    `${name}: glTF-Validator reported ${report.issues.numErrors} error(s):\n` +
      errors.map((e) => `  ${e.code} at ${e.pointer ?? e.offset ?? "?"}: ${e.message}`).join("\n"),
  );
  return report;
}
