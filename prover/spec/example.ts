/** The example training spec and the iris dataset it commits to, shared by tests. */
import path from "node:path";
import { commitDataset, type CommittedDataset } from "../dataset/dataset.js";
import { loadIris } from "../dataset/iris.js";
import { PROJECT_ROOT } from "../paths.js";
import { readSpec, type TrainingSpec } from "./schema.js";

export const EXAMPLE_SPEC = path.join(PROJECT_ROOT, "prover", "spec", "examples", "iris-linear.json");

export async function loadExample(): Promise<{ spec: TrainingSpec; data: CommittedDataset }> {
  return { spec: await readSpec(EXAMPLE_SPEC), data: commitDataset(loadIris()) };
}

export const MLP_EXAMPLE_SPEC = path.join(PROJECT_ROOT, "prover", "spec", "examples", "iris-mlp.json");

/** The MLP example spec (mlp-mse 4 -> 6 -> 3 on iris) and its dataset. */
export async function loadMlpExample(): Promise<{ spec: TrainingSpec; data: CommittedDataset }> {
  return { spec: await readSpec(MLP_EXAMPLE_SPEC), data: commitDataset(loadIris()) };
}
