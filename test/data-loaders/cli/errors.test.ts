// No user-facing error prints a stack trace unless DREAMFACE_DEBUG=1: user and system errors
// are one line with status 2, anything else one line with status 1 (and a hint how to get the
// stack). Checked on the formatter and through the real CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCliError, UserError } from "../../../data-loaders/cli/errors.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

const STACK_LINE = /^\s+at /m;

test("formatCliError: user, system and internal errors are one line without DREAMFACE_DEBUG, with the stack when it is 1", () => {
  const sys = Object.assign(new Error("ENOTDIR: not a directory, mkdir '/x/y'"), { code: "ENOTDIR", syscall: "mkdir", path: "/x/y" });
  const cases: [unknown, number, RegExp][] = [
    [new UserError("no such experiment: a.yaml"), 2, /^dreamface: no such experiment: a\.yaml$/],
    [sys, 2, /^dreamface: ENOTDIR: not a directory, mkdir '\/x\/y'$/],
    [new TypeError("x is not a function\n    more"), 1, /^dreamface: internal error: x is not a function \(set DREAMFACE_DEBUG=1 for the stack trace\)$/],
    ["a thrown string", 1, /^dreamface: internal error: a thrown string/],
  ];
  for (const [error, status, line] of cases) {
    const quiet = formatCliError(error, {});
    assert.equal(quiet.status, status);
    assert.equal(quiet.text.split("\n").length, 1, quiet.text);
    assert.match(quiet.text, line);
    const loud = formatCliError(error, { DREAMFACE_DEBUG: "1" });
    assert.equal(loud.status, status);
    if (error instanceof Error) assert.match(loud.text, STACK_LINE, "DREAMFACE_DEBUG=1 shows the stack");
  }
});

test("the CLI: a system error (results folder under a file) is one line, exit 2; DREAMFACE_DEBUG=1 adds the stack", () => {
  const dir = tempDir("dreamface-errors-");
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  const env = { DREAMFACE_RESULTS_DIR: join(file, "results") };
  const r = runCli(["runs", "index"], env);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, /^dreamface: ENOTDIR: not a directory/);
  const d = runCli(["runs", "index"], { ...env, DREAMFACE_DEBUG: "1" });
  assert.equal(d.status, 2, d.stderr);
  assert.match(d.stderr, STACK_LINE);
});

test("the CLI: a user error stays one line; DREAMFACE_DEBUG=1 adds the stack", () => {
  const r = runCli(["geometry", "a face", "--experiment", "/nonexistent/experiment.json", "--out", "/nonexistent-out"]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, STACK_LINE);
  const d = runCli(["geometry", "a face", "--experiment", "/nonexistent/experiment.json", "--out", "/nonexistent-out"], { DREAMFACE_DEBUG: "1" });
  assert.equal(d.status, 2);
  assert.match(d.stderr, STACK_LINE);
});

test("the CLI: a bad --threads or DREAMFACE_THREADS is one line naming it, exit 2, before any run folder is made", () => {
  const out = mkdtempSync(join(tmpdir(), "dreamface-threads-"));
  try {
    const flag = runCli(["geometry", "a face", "--threads", "0", "--out", join(out, "a")]);
    assert.equal(flag.status, 2, flag.stderr);
    assert.match(flag.stderr.trim(), /^[^\n]*--threads must be a positive integer, got "0"$/);
    const env = runCli(["geometry", "a face", "--steps", "1", "--out", join(out, "b")], { DREAMFACE_THREADS: "two" });
    assert.equal(env.status, 2, env.stderr);
    assert.match(env.stderr.trim(), /^[^\n]*DREAMFACE_THREADS must be a positive integer, got "two"$/);
    assert.deepEqual(readdirSync(out), [], "no run folder");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
