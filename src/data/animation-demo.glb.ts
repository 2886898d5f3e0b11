// ICT mean face + the demo clip as a glTF morph-weight animation (played by AnimationMixer on the page).
import { buildDemoAsset } from "../../data-loaders/animation/demo-asset.js";

process.stdout.write(await buildDemoAsset());
