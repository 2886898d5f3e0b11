// The committed MediaPipe-468 → ICT correspondence, for fitting tracked landmarks in the page.
import { readCorrespondenceJson } from "../../data-loaders/animation/correspondence.js";

const { count, vertices, weights, stats } = readCorrespondenceJson();
process.stdout.write(JSON.stringify({ count, vertices, weights, stats }));
