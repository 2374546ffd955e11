/** The Palmer penguins table shipped by the npm package `vega-datasets` (344 rows, 2 with no measurements). */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { CommittedDataset } from "./dataset.js";
import type { DatasetFile } from "./file.js";
import { importTable, parseJsonTable } from "./import.js";
import { PROJECT_ROOT } from "../paths.js";

export const PENGUINS = path.join(PROJECT_ROOT, "node_modules", "vega-datasets", "data", "penguins.json");
export const PENGUIN_FEATURES = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"];

/** The four measurements by species, incomplete rows dropped, z-scored: the walkthrough's import (docs/your-own-run.md). */
export async function importPenguins(): Promise<{ file: DatasetFile; committed: CommittedDataset }> {
  return importTable(
    parseJsonTable(await readFile(PENGUINS, "utf8"), "penguins.json"),
    { label: "Species", features: PENGUIN_FEATURES, name: "penguins", dropIncomplete: true, normalize: "zscore" },
    "penguins.json",
  );
}
