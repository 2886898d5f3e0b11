// The paper's Fig. 13 and Fig. 18 tables beside ours, for src/reproduction.md.
import { reproductionPayload } from "../../data-loaders/report/reproduction.js";

process.stdout.write(JSON.stringify(reproductionPayload()));
