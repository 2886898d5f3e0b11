// The offline preload, in a child process so this test runner keeps its network.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../../data-loaders/io/paths.js";
import { isCdn, isLoopback } from "../../scripts/network-guard.js";

const preload = pathToFileURL(join(projectRoot, "scripts", "no-network.js")).href;

/** Runs `code` (an ES module) under the preload; returns its stdout lines. */
function underBlock(code: string): string[] {
  const r = spawnSync(process.execPath, ["--import", preload, "--input-type=module", "-e", code], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

test("isLoopback / isCdn classify hosts", () => {
  for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "app.localhost"]) assert.ok(isLoopback(h), h);
  for (const h of ["example.com", "10.0.0.1", "128.0.0.1", "2606:4700::1111"]) assert.ok(!isLoopback(h), h);
  for (const h of ["cdn.jsdelivr.net", "registry.npmjs.org", "npm.jsr.io", "esm.sh"]) assert.ok(isCdn(h), h);
  assert.ok(!isCdn("example.com") && !isCdn("notjsdelivr.net"));
});

test("no-network.js makes fetch, http(s) and sockets to other hosts throw, and lets loopback through", () => {
  const lines = underBlock(`
    import http from "node:http"; import https from "node:https"; import net from "node:net";
    const attempt = async (label, f) => { try { await f(); console.log(label + " allowed"); } catch (e) { console.log(label + " " + (/network blocked/.test(e.message) ? "blocked" : "other:" + e.message)); } };
    await attempt("fetch", () => fetch("https://cdn.jsdelivr.net/npm/d3"));
    await attempt("https.get", () => https.get("https://registry.npmjs.org/d3").destroy());
    await attempt("http.request", () => http.request({ host: "example.com", port: 80 }).destroy());
    await attempt("net.connect", () => net.connect(443, "2606:4700::1111").destroy());
    const server = http.createServer((q, s) => s.end("ok")).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    await attempt("loopback", async () => { const t = await (await fetch("http://127.0.0.1:" + server.address().port)).text(); if (t !== "ok") throw new Error(t); });
    server.close();
  `);
  assert.deepEqual(lines, ["fetch blocked", "https.get blocked", "http.request blocked", "net.connect blocked", "loopback allowed"]);
});
