// Preload (`node --import ./scripts/no-network.js`): every request to a non-loopback host throws.
// The site tests run `observable build` under it to prove the workbench builds offline.
import { installNetworkGuard, isLoopback } from "./network-guard.js";

installNetworkGuard("offline", {
  blocked: (host) => !isLoopback(host),
  message: (url) => `network blocked (offline build): ${url}`,
});
