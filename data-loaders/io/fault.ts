// Fault injection for the kill -9 tests: with DREAMFACE_KILL_AT_WRITE=n the process SIGKILLs
// itself halfway through its n-th write (an atomic file, a checkpoint, a trajectory
// append), after those first bytes reached the disk: the worst moment a real kill can hit.
// Unset (always, outside tests) it costs one comparison per write.
import { fsyncSync, writeSync } from "node:fs";

const spec = process.env.DREAMFACE_KILL_AT_WRITE;
const killAt = spec ? Number(spec) : undefined;
let writes = 0;

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

/** Writes made by this process so far (tests count a command's writes in-process). */
export function writesSoFar(): number {
  return writes;
}
