// Generate runs and sweep cells (config, trajectories, renders, metrics) for src/compare.md.
import { comparePayload } from "../../data-loaders/report/compare.js";

process.stdout.write(JSON.stringify(await comparePayload()));
