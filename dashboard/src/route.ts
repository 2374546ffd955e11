/**
 * The page's address: everything a reader may want to share is in the URL's
 * fragment, so a link opens the same view.
 *   #/                                     the runs table and the live feed
 *   #/?lab=0x…&family=NAME&kind=KIND        the same, filtered
 *   #/run/ID                                one run
 *   #/lab/0x…                               one lab: observed against accounted compute (issue #29)
 */
import { VIOLATION_KINDS, type ViolationKind } from "../../client/read/violations.js";

export interface Filters {
  readonly lab?: string;
  readonly family?: string;
  readonly kind?: ViolationKind;
}

export type Route =
  | { readonly page: "runs"; readonly filters: Filters }
  | { readonly page: "run"; readonly runId: bigint }
  | { readonly page: "lab"; readonly lab: string };

export function parseRoute(hash: string): Route {
  const [pathPart = "", query = ""] = hash.replace(/^#/, "").split("?");
  const run = /^\/run\/(\d+)$/.exec(pathPart);
  if (run) return { page: "run", runId: BigInt(run[1]!) };
  const lab = /^\/lab\/(0x[0-9a-fA-F]{40})$/.exec(pathPart);
  if (lab) return { page: "lab", lab: lab[1]!.toLowerCase() };
  const q = new URLSearchParams(query);
  const kind = q.get("kind");
  const filters: { lab?: string; family?: string; kind?: ViolationKind } = {};
  const labFilter = q.get("lab");
  const family = q.get("family");
  if (labFilter) filters.lab = labFilter.toLowerCase();
  if (family) filters.family = family;
  if (kind && (VIOLATION_KINDS as readonly string[]).includes(kind)) filters.kind = kind as ViolationKind;
  return { page: "runs", filters };
}

export function runsHash(f: Filters): string {
  const q = new URLSearchParams();
  if (f.lab) q.set("lab", f.lab);
  if (f.family) q.set("family", f.family);
  if (f.kind) q.set("kind", f.kind);
  const s = q.toString();
  return s ? `#/?${s}` : "#/";
}

export const runHash = (runId: bigint): string => `#/run/${runId}`;

export const labHash = (lab: string): string => `#/lab/${lab.toLowerCase()}`;
