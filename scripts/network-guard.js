// Makes outgoing network requests throw, so an accidental CDN dependency fails loudly instead
// of quietly working online and breaking offline. Two uses:
//   - observablehq.config.ts installs the CDN rule: Framework fetches `npm:`/`jsr:` imports
//     and the implicit Plot/d3/Inputs globals from jsDelivr/JSR, which we never want;
//   - `node --import ./scripts/no-network.js` (the site tests) blocks every non-loopback host,
//     in Framework and in every data loader it spawns (NODE_OPTIONS is inherited).
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";

export const CDN_HOSTS = ["registry.npmjs.org", "cdn.jsdelivr.net", "data.jsdelivr.com", "npm.jsr.io", "jsr.io", "esm.sh", "unpkg.com", "cdnjs.cloudflare.com"];
const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]", ""]);

export function isLoopback(host) {
  return LOOPBACK.has(host) || /^127\./.test(host) || host.endsWith(".localhost");
}

export function isCdn(host) {
  return CDN_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

const installed = Symbol.for("dreamface.networkGuard");

/**
 * Wraps fetch, http(s).request/get, net.connect and tls.connect so that a request to a host for
 * which some installed rule's `blocked(host)` is true throws `Error(rule.message(url))`. Rules
 * are keyed by name, so installing one again replaces it (Framework re-imports its config on
 * every change) and rules from the preload and the config add up. The latest rule is checked
 * first, so the config's specific CDN message wins over the preload's generic one.
 */
export function installNetworkGuard(name, { blocked, message }) {
  const state = (globalThis[installed] ??= { rules: new Map() });
  state.rules.set(name, { blocked, message });
  if (state.wrapped) return;
  state.wrapped = true;
  const check = (url) => {
    const host = hostOf(url);
    if (host === undefined) return;
    for (const rule of [...state.rules.values()].reverse()) if (rule.blocked(host)) throw new Error(rule.message(String(url)));
  };
  const fetch0 = globalThis.fetch;
  if (fetch0) {
    globalThis.fetch = function fetch(input, init) {
      try {
        check(typeof input === "string" || input instanceof URL ? input : input.url);
      } catch (error) {
        return Promise.reject(error);
      }
      return fetch0.call(this, input, init);
    };
  }
  for (const mod of [http, https]) {
    for (const name of ["request", "get"]) {
      const original = mod[name];
      mod[name] = function (...args) {
        check(requestUrl(args, mod === https ? "https:" : "http:"));
        return original.apply(this, args);
      };
    }
  }
  for (const [mod, names] of [[net, ["connect", "createConnection"]], [tls, ["connect"]]]) {
    for (const name of names) {
      const original = mod[name];
      mod[name] = function (...args) {
        check(socketUrl(args));
        return original.apply(this, args);
      };
    }
  }
}

function hostOf(url) {
  if (url === undefined || url === null) return undefined;
  try {
    return new URL(String(url)).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}

function requestUrl(args, protocol) {
  const [first, second] = args;
  if (typeof first === "string" || first instanceof URL) return first;
  const options = first ?? second ?? {};
  return `${options.protocol ?? protocol}//${bracket(options.hostname ?? options.host ?? "localhost")}`;
}

function socketUrl(args) {
  const [first, second] = args;
  if (typeof first === "object" && first !== null) {
    if (first.path) return undefined; // a Unix socket or pipe
    return `tcp://${bracket(first.host ?? "localhost")}`;
  }
  if (typeof first === "number") return `tcp://${bracket(typeof second === "string" ? second : "localhost")}`;
  return undefined; // a path: Unix socket
}

/** IPv6 literals need brackets inside a URL. */
function bracket(host) {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
