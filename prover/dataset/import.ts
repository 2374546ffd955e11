/**
 * Bring-your-own data: a table (CSV or a JSON array of records) becomes a
 * self-describing dataset file the prover commits to (DESIGN §3).
 *
 * One conversion rule for every feature value, documented in the file it
 * writes (`rounding`): the decimal text is read as the nearest binary64
 * (JavaScript's Number), optionally normalised in binary64, rounded to
 * binary32 with round-to-nearest-even, then to bfloat16 with
 * round-to-nearest-even. It is the rule of the built-in iris loader, so the
 * iris table imported here has the built-in iris root.
 *
 * Labels become class indices in order of first appearance; the mapping is
 * recorded. Every refusal names the row (1-based, data rows only; for CSV
 * also the file line) and the column, and nothing is written.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { numberToBf16 } from "../numerics/index.js";
import { decode, BF16 } from "../numerics/format.js";
import { MAX_FEATURES, commitDataset, type CommittedDataset, type Dataset } from "./dataset.js";
import { type DatasetFile, type Normalization, type NormParams } from "./file.js";

/** The largest dataset a spec (and so a circuit family) can commit to. */
export const MAX_ROWS = 2 ** 20;
/** Models take at most this many outputs (the spec schema's bound), so at most this many classes. */
export const MAX_CLASSES = 64;

export const ROUNDING_RULE =
  "decimal text -> nearest binary64 (JavaScript Number) -> [normalisation in binary64] -> " +
  "binary32 round-to-nearest-even -> bfloat16 round-to-nearest-even";

export interface ImportOptions {
  /** The column holding the class of each row. */
  readonly label: string;
  /** Feature columns in order (default: every column but the label, in table order). */
  readonly features?: readonly string[];
  readonly normalize?: Normalization;
  /** Skip rows with a missing feature or label (and report them) instead of refusing. */
  readonly dropIncomplete?: boolean;
  /** Name recorded in the file (not committed). */
  readonly name: string;
}

export class DatasetImportError extends Error {
  override readonly name = "DatasetImportError";
}

/** A parsed table: column names and rows of raw cells, with each row's line in the source when known. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  readonly lines?: readonly number[];
}

/** Reads CSV text (RFC 4180: quoted fields, embedded commas, quotes and newlines) with a header row. */
export function parseCsvTable(text: string, source: string): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes as { record, info } (csv-parse's types do not say so).
    const parsed: unknown = parseCsv(text, { skip_empty_lines: true, bom: true, info: true, trim: true });
    records = parsed as typeof records;
  } catch (err) {
    throw new DatasetImportError(`${source}: not valid CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [header, ...body] = records;
  const columns = header?.record ?? [];
  if (new Set(columns).size !== columns.length)
    throw new DatasetImportError(`${source}: the header names a column twice`);
  return {
    columns,
    rows: body.map((r) => Object.fromEntries(columns.map((c, j) => [c, r.record[j]]))),
    lines: body.map((r) => r.info.lines),
  };
}

/** Reads a JSON array of records (objects of column -> value). */
export function parseJsonTable(text: string, source: string): Table {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DatasetImportError(`${source}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(json)) throw new DatasetImportError(`${source}: expected a JSON array of records`);
  const columns: string[] = [];
  json.forEach((row: unknown, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new DatasetImportError(`${source}: row ${i + 1} is not a record (an object of column -> value)`);
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  });
  return { columns, rows: json as Record<string, unknown>[] };
}

/** Picks the parser by extension (.csv, .json); anything else is refused. */
export function parseTable(text: string, source: string): Table {
  if (/\.csv$/i.test(source)) return parseCsvTable(text, source);
  if (/\.json$/i.test(source)) return parseJsonTable(text, source);
  throw new DatasetImportError(
    `${source}: unknown table format: use a .csv file with a header row or a .json array of records`,
  );
}

const MISSING = new Set(["", "na", "n/a", "nan", "null"]);
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Cell = { kind: "missing" } | { kind: "number"; value: number } | { kind: "bad"; text: string };

function readCell(v: unknown): Cell {
  if (v === null || v === undefined) return { kind: "missing" };
  if (typeof v === "number")
    return Number.isFinite(v) ? { kind: "number", value: v } : { kind: "bad", text: String(v) };
  if (typeof v === "string") {
    const s = v.trim();
    if (MISSING.has(s.toLowerCase())) return { kind: "missing" };
    if (!DECIMAL.test(s)) return { kind: "bad", text: s };
    const x = Number(s);
    return Number.isFinite(x) ? { kind: "number", value: x } : { kind: "bad", text: s };
  }
  return { kind: "bad", text: JSON.stringify(v) };
}

const labelText = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return undefined;
  const s = (
    typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v)
  ).trim();
  return MISSING.has(s.toLowerCase()) ? undefined : s;
};

const hex16 = (bits: number): string => `0x${bits.toString(16).padStart(4, "0")}`;

/** Converts a table into a committed dataset and its file; throws DatasetImportError naming row and column. */
export function importTable(
  table: Table,
  opts: ImportOptions,
  source: string,
): { file: DatasetFile; committed: CommittedDataset } {
  const where = (i: number): string =>
    `row ${i + 1}${table.lines?.[i] !== undefined ? ` (line ${table.lines[i]})` : ""}`;
  if (table.rows.length === 0) throw new DatasetImportError(`${source}: no data rows`);
  if (!table.columns.includes(opts.label))
    throw new DatasetImportError(
      `${source}: unknown label column "${opts.label}"; columns: ${table.columns.join(", ")}`,
    );
  const features = opts.features ?? table.columns.filter((c) => c !== opts.label);
  for (const f of features) {
    if (!table.columns.includes(f))
      throw new DatasetImportError(`${source}: unknown feature column "${f}"; columns: ${table.columns.join(", ")}`);
    if (f === opts.label)
      throw new DatasetImportError(`${source}: column "${f}" cannot be both the label and a feature`);
  }
  if (new Set(features).size !== features.length)
    throw new DatasetImportError(`${source}: a feature column is named twice`);
  if (features.length === 0) throw new DatasetImportError(`${source}: no feature columns`);
  if (features.length > MAX_FEATURES)
    throw new DatasetImportError(
      `${source}: ${features.length} feature columns, at most ${MAX_FEATURES} are supported ` +
        `(a model's inputs at most); choose columns with --features`,
    );
  if (table.rows.length > MAX_ROWS)
    throw new DatasetImportError(`${source}: ${table.rows.length} rows, at most ${MAX_ROWS} (2^20) are supported`);

  const kept: { values: number[]; label: string; row: number }[] = [];
  const dropped: number[] = [];
  table.rows.forEach((row, i) => {
    const values: number[] = [];
    let missing: string | undefined;
    for (const f of features) {
      const c = readCell(row[f]);
      if (c.kind === "bad")
        throw new DatasetImportError(
          `${source}: ${where(i)}, column "${f}": not a finite number: ${JSON.stringify(c.text)}` +
            (opts.features === undefined
              ? " (every column but the label is a feature unless --features names them)"
              : ""),
        );
      if (c.kind === "missing") {
        missing ??= f;
        continue;
      }
      values.push(c.value);
    }
    const label = labelText(row[opts.label]);
    if (label === undefined) missing ??= opts.label;
    if (missing !== undefined) {
      if (!opts.dropIncomplete)
        throw new DatasetImportError(
          `${source}: ${where(i)}, column "${missing}": missing value (--drop-incomplete skips incomplete rows)`,
        );
      dropped.push(i + 1);
      return;
    }
    kept.push({ values, label: label!, row: i });
  });
  if (kept.length === 0) throw new DatasetImportError(`${source}: every row is incomplete; nothing to import`);

  const classes: string[] = [];
  for (const r of kept) if (!classes.includes(r.label)) classes.push(r.label);
  if (classes.length < 2)
    throw new DatasetImportError(
      `${source}: label column "${opts.label}" has ${classes.length} class (${classes.join(", ")}); at least 2 are needed`,
    );
  if (classes.length > MAX_CLASSES)
    throw new DatasetImportError(
      `${source}: label column "${opts.label}" has ${classes.length} classes, at most ${MAX_CLASSES} are supported`,
    );

  const kind = opts.normalize ?? "none";
  const params: NormParams[] = features.map((f, j) =>
    normParams(
      kind,
      kept.map((r) => r.values[j]!),
      f,
      source,
    ),
  );
  const samples = kept.map((r) => {
    const bits = r.values.map((x, j) => {
      const b = numberToBf16(normalise(x, params[j]!));
      if (decode(b, BF16).kind !== "finite") {
        throw new DatasetImportError(
          `${source}: ${where(r.row)}, column "${features[j]!}": ${x} is outside bfloat16's finite range (|x| < 3.39e38)`,
        );
      }
      return b;
    });
    return { features: bits, label: classes.indexOf(r.label) };
  });

  const dataset: Dataset = {
    name: opts.name,
    features: features.length,
    classes: classes.length,
    classNames: classes,
    samples,
  };
  const committed = commitDataset(dataset);
  const file: DatasetFile = {
    format: "vtr-dataset",
    version: 1,
    name: opts.name,
    source: { rows: table.rows.length, dropped },
    features,
    label: { column: opts.label, classes },
    normalization: { kind, params },
    rounding: ROUNDING_RULE,
    size: samples.length,
    depth: committed.depth,
    root: `0x${committed.root.toString(16)}`,
    samples: samples.map((s) => [s.features.map(hex16), s.label] as const),
  };
  return { file, committed };
}

function normParams(kind: Normalization, xs: number[], column: string, source: string): NormParams {
  if (kind === "none") return null;
  if (kind === "zscore") {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    if (!(std > 0))
      throw new DatasetImportError(`${source}: column "${column}" is constant: zscore cannot normalise it`);
    return { mean, std };
  }
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (!(max > min))
    throw new DatasetImportError(`${source}: column "${column}" is constant: minmax cannot normalise it`);
  return { min, max };
}

function normalise(x: number, p: NormParams): number {
  if (p === null) return x;
  return "mean" in p ? (x - p.mean) / p.std : (x - p.min) / (p.max - p.min);
}
