// Per-frame weights of the newest `dreamface animate` run under results/, or {run: null}.
import { newestAnimationRun } from "../../data-loaders/animation/sample.js";

process.stdout.write(JSON.stringify(newestAnimationRun()));
