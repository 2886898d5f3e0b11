// Every run × stage under results/runs (manifest summaries and CLIP scores) for src/runs.md.
import { runsPagePayload } from "../../data-loaders/evaluation/pages.js";

process.stdout.write(JSON.stringify(runsPagePayload()));
