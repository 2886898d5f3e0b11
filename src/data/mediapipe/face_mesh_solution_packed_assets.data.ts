// Serves @mediapipe/face_mesh's face_mesh_solution_packed_assets.data from the built site (the tracker's locateFile points here).
import { writeFaceMeshFile } from "../../../data-loaders/animation/mediapipe-assets.js";

writeFaceMeshFile("face_mesh_solution_packed_assets.data");
