import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../helpers/cli.js";

const cli = (...args: string[]) => runCli(["tokenize", ...args]);

test("dreamface tokenize prints 77 ids as JSON", () => {
  const r = cli("a photo of a cat", "--pad", "0");
  assert.equal(r.status, 0, r.stderr);
  const ids = JSON.parse(r.stdout) as number[];
  assert.equal(ids.length, 77);
  assert.deepEqual(ids.slice(0, 8), [49406, 320, 1125, 539, 320, 2368, 49407, 0]);
  assert.equal(JSON.parse(cli("hello world").stdout)[10], 49407, "default padding is 49407");
  assert.deepEqual(JSON.parse(cli("hello world", "--no-pad").stdout), [49406, 3306, 1002, 49407]);
});

test("dreamface tokenize warns on truncation and rejects bad input with exit 2", () => {
  const long = cli("a ".repeat(100));
  assert.equal(long.status, 0);
  assert.match(long.stderr, /truncated to 77/);
  const badPad = cli("x", "--pad", "3");
  assert.equal(badPad.status, 2);
  assert.match(badPad.stderr, /--pad must be 0 or 49407/);
  const missing = cli("x", "--merges", "/nonexistent/merges.txt");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /CLIP merges not found.*\/nonexistent\/merges\.txt/);
});
