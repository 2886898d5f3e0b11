// One run's stages (manifest, trajectory, images, metrics) for src/runs/[id].md; Framework passes --id=<run id>.
import { parseArgs } from "node:util";
import { runPagePayload } from "../../data-loaders/evaluation/pages.js";

const { values } = parseArgs({ options: { id: { type: "string" } } });
process.stdout.write(JSON.stringify(await runPagePayload(values.id!)));
