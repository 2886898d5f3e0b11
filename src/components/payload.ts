/**
 * Decoders for what data loaders put in page payloads: base64 float arrays (meshes,
 * embeddings) and base64 PNGs. One copy, so every page decodes the same way.
 *
 *   const positions = floats(run.mesh.positions);
 *   html`<img src=${pngSrc(run.maps.diffuse)}>`
 */

/** Base64 → bytes (browser and Node: atob is global in both). */
export function base64Bytes(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Base64 of little-endian float32 values → Float32Array. */
export function floats(s: string): Float32Array {
  const bytes = base64Bytes(s);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/** A base64 PNG as an <img src>; passes data: URLs through. */
export function pngSrc(s: string): string {
  return s.startsWith("data:") ? s : `data:image/png;base64,${s}`;
}
