// sha256 as lowercase hex, of bytes in memory or of a file streamed from disk (model weights
// run to gigabytes, so files are never read whole).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}
