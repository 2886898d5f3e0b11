// Headless Chromium (Debian's package, /usr/bin/chromium) driven by playwright-core: used by
// the browser tests, the renderer's three.js peer, and `dreamface animate` (MediaPipe).
// playwright-core never downloads a browser; we point it at the system one.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { UserError } from "../cli/errors.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, or a one-line UserError saying how to install it (a missing browser is the user's setup, not a bug). */
export function chromiumPath(): string {
  const fromEnv = process.env.DREAMFACE_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new UserError(`DREAMFACE_CHROMIUM=${fromEnv} does not exist: install Chromium (\`apt-get install chromium\` on Debian) or point DREAMFACE_CHROMIUM at it`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new UserError("Chromium not found: install it with `apt-get install chromium` (Debian) or set DREAMFACE_CHROMIUM");
  return found;
}

// Flags that let Chromium run as root in a sandbox with no network and no GPU
// (SwiftShader provides WebGL).
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

export interface HeadlessChromium {
  browser: Browser | null;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches a fresh headless Chromium with its own empty user-data dir. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), "dreamface-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    browser: context.browser(),
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
