// The CLI's default tiny pool for src/live.md (the page ranks it with the prompt as the CLI does).
import { livePoolPayload } from "../../data-loaders/live/pages.js";

process.stdout.write(JSON.stringify(await livePoolPayload()));
