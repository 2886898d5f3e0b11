// Blendshape path vs personalized path on one synthetic video (see data-loaders/animation/paths-demo.ts).
import { buildPathsDemo } from "../../data-loaders/animation/paths-demo.js";

process.stdout.write(await buildPathsDemo());
