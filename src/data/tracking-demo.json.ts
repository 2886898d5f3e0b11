// Truth vs recovered expression weights of one synthetic sequence through MediaPipe (committed
// by `npm run bench -- tracking`, data-loaders/animation/tracking-demo.json).
import { readFileSync } from "node:fs";
import { TRACKING_DEMO_FILE } from "../../data-loaders/animation/tracking-eval.js";

process.stdout.write(readFileSync(TRACKING_DEMO_FILE, "utf8"));
