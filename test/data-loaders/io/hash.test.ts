import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, sha256File } from "../../../data-loaders/io/hash.js";
import { tempDir } from "../../helpers/tmp.js";

test("sha256 of bytes and of a streamed file agree with the known digest of \"abc\"", async () => {
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(sha256(new TextEncoder().encode("abc")), abc);
  const path = join(tempDir("dreamface-hash-"), "abc.txt");
  writeFileSync(path, "abc");
  assert.equal(await sha256File(path), abc);
});
