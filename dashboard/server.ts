/**
 * The dashboard's server: serves the page (bundled from dashboard/src with
 * esbuild when the server starts: no CDN, no external font, works offline),
 * its configuration (/api/config, re-read from deployments/<network>/ on
 * every request, so a redeploy is picked up without a restart) and a
 * read-only JSON-RPC relay (/rpc) to the network's endpoint: the page's
 * calls go to one origin, the endpoint's URL (which may hold an API key)
 * never reaches the browser, and no method but the reads in READ_METHODS
 * is forwarded.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { PROJECT_ROOT } from "../prover/paths.js";
import { READ_METHODS, type DashboardConfig } from "./config.js";

export const DASHBOARD_DIR = path.join(PROJECT_ROOT, "dashboard");

/** The page's script: dashboard/src/main.ts and everything it imports, as one browser module. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(DASHBOARD_DIR, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no bundle for the dashboard");
  return file.text;
}

export interface DashboardOptions {
  readonly host: string;
  readonly port: number;
  /** The network's JSON-RPC endpoint. */
  readonly rpcUrl: string;
  /** The page's configuration, or a message saying why there is none (no deployment record, say). */
  readonly config: () => Promise<DashboardConfig>;
  /** How long one relayed request may take. */
  readonly rpcTimeoutMs?: number;
}

export interface Dashboard {
  readonly url: string;
  close(): Promise<void>;
}

interface RpcRequest {
  readonly jsonrpc?: unknown;
  readonly id?: unknown;
  readonly method?: unknown;
}

const send = (res: ServerResponse, status: number, type: string, body: string): void => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
};
const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  send(res, status, "application/json", JSON.stringify(body));
};

async function body(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Forwards a JSON-RPC request (or batch) of reads to the endpoint; refuses anything else. */
async function relay(req: IncomingMessage, res: ServerResponse, o: DashboardOptions): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await body(req));
  } catch (e) {
    sendJson(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: `not JSON: ${String(e)}` } });
    return;
  }
  const calls = (Array.isArray(parsed) ? parsed : [parsed]) as RpcRequest[];
  const refused = calls.find((c) => typeof c.method !== "string" || !READ_METHODS.has(c.method));
  if (refused) {
    const message = `the dashboard is read-only: method ${String(refused.method)} is not relayed`;
    const err = (c: RpcRequest) => ({ jsonrpc: "2.0", id: c.id ?? null, error: { code: -32601, message } });
    sendJson(res, 200, Array.isArray(parsed) ? calls.map(err) : err(refused));
    return;
  }
  let upstream: Response;
  try {
    upstream = await fetch(o.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(parsed),
      signal: AbortSignal.timeout(o.rpcTimeoutMs ?? 10_000),
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    sendJson(res, 502, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: `the dashboard's server cannot reach it: ${cause}` },
    });
    return;
  }
  send(res, upstream.status, upstream.headers.get("content-type") ?? "application/json", await upstream.text());
}

/** Starts the dashboard's server; resolves once it listens. */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const script = await bundlePage();
  const [html, css] = await Promise.all([
    readFile(path.join(DASHBOARD_DIR, "index.html"), "utf8"),
    readFile(path.join(DASHBOARD_DIR, "style.css"), "utf8"),
  ]);
  const page = { type: "text/html; charset=utf-8", body: html };
  const STATIC: Readonly<Record<string, { type: string; body: string } | undefined>> = {
    "/": page,
    "/index.html": page,
    "/app.js": { type: "text/javascript; charset=utf-8", body: script },
    "/style.css": { type: "text/css; charset=utf-8", body: css },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const handle = async (): Promise<void> => {
      if (req.method === "POST" && url.pathname === "/rpc") {
        await relay(req, res, o);
        return;
      }
      if (req.method !== "GET") {
        send(res, 405, "text/plain", "the dashboard is read-only");
        return;
      }
      const file = STATIC[url.pathname];
      if (file) {
        send(res, 200, file.type, file.body);
        return;
      }
      if (url.pathname !== "/api/config") {
        send(res, 404, "text/plain", "not found");
        return;
      }
      try {
        sendJson(res, 200, await o.config());
      } catch (e) {
        sendJson(res, 503, { error: e instanceof Error ? e.message : String(e) });
      }
    };
    handle().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain", e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
