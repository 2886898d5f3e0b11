// Fault injection for the kill -9 tests: with DREAMFACE_KILL_AT_WRITE=n the process SIGKILLs
// itself halfway through its n-th write (an atomic file, a checkpoint, a trajectory or journal
// append), after those first bytes reached the disk: the worst moment a real kill can hit.
// DREAMFACE_KILL_AT_WRITE=count prints how many writes the command made, at exit, so a test can
// pick n among them. Unset (always, outside tests) it costs one comparison per write.
import { fsyncSync, writeSync } from "node:fs";

const spec = process.env.DREAMFACE_KILL_AT_WRITE;
const killAt = spec && spec !== "count" ? Number(spec) : undefined;
let writes = 0;
if (spec === "count") process.once("exit", () => process.stderr.write(`dreamface-writes: ${writes}\n`));

/** Writes `bytes` to `fd` in full (the one write loop of every run file). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  writes++;
  let end = bytes.length;
  if (writes === killAt) end = bytes.length >> 1;
  let off = 0;
  while (off < end) off += writeSync(fd, bytes, off, end - off);
  if (writes === killAt) {
    fsyncSync(fd);
    process.kill(process.pid, "SIGKILL");
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); // never continue past the kill
  }
}
