// Experiment defaults and tiny-profile sizes for src/live.md.
import { liveSetup } from "../../data-loaders/live/pages.js";

process.stdout.write(JSON.stringify(await liveSetup()));
