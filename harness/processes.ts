/** Child processes and a TCP proxy for the end-to-end tests (the CLI, the dashboard). */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { PROJECT_ROOT } from "../prover/paths.js";
import { freePort, sleep, until } from "./net.js";

/** The project's node_modules/.bin, first on PATH for child processes. */
export const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
export const env = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}` };

/** A TCP proxy the test can cut and restore. */
export class Proxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}
  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => {
          this.sockets.delete(s);
        });
        s.on("error", () => {
          s.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(this.port, "127.0.0.1", r));
    this.server = server;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((r) => {
        server.close(() => {
          r();
        });
      });
  }
}

/** A child process whose output lines are collected. */
export class Proc {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  private readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    let out = "";
    let err = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const parts = out.split("\n");
      out = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr?.on("data", (b: Buffer) => {
      err += b.toString();
      const parts = err.split("\n");
      err = parts.pop()!;
      this.errors.push(...parts);
    });
    this.exited = new Promise((r) => {
      child.on("exit", (code) => {
        r(code);
      });
    });
  }
  wait(): Promise<number | null> {
    return this.exited;
  }
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** One JSON-RPC call to a node on localhost. */
export async function rpcCall(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Starts `hardhat node` on a free port of localhost and waits until it answers. */
export async function startHardhatNode(): Promise<{ node: Proc; port: number }> {
  const port = await freePort();
  const node = new Proc(
    spawn(path.join(BIN, "hardhat"), ["node", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  await until("the hardhat node", async () => {
    try {
      return (await rpcCall(port, "eth_chainId")) === "0x7a69";
    } catch {
      return false;
    }
  });
  return { node, port };
}

/** A project script (scripts/NAME.ts) as a child process, run the way `npm run` runs it. */
export const scriptProcess = (script: string, args: readonly string[]): Proc =>
  new Proc(
    spawn(process.execPath, ["--import", "tsx", path.join("scripts", `${script}.ts`), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );

/** A project script (scripts/NAME.ts) run to its end from `cwd` (default the project): status, stdout, stderr. */
export const runScript = (script: string, args: readonly string[], cwd = PROJECT_ROOT): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts", `${script}.ts`), ...args], {
    cwd,
    env,
    encoding: "utf8",
  });

/** `npm run registry -- ARGS` as a child process. */
export const cliProcess = (args: readonly string[]): Proc => scriptProcess("cli", args);

/** `npm run registry -- ARGS` against the node on `port` with the records in `deployments`; its stdout, or a throw with its output. */
export async function cliOn(port: number, deployments: string, args: readonly string[]): Promise<string> {
  const p = cliProcess([...args, "--rpc-url", `http://127.0.0.1:${port}`, "--deployments", deployments]);
  const code = await p.wait();
  if (code !== 0)
    throw new Error(`registry ${args.join(" ")} failed (${code}):\n${p.errors.join("\n")}\n${p.lines.join("\n")}`);
  return p.lines.join("\n");
}

/** `npm run dashboard -- ARGS --port PORT` as a child process, once it serves; `onStart` gets it at once (to stop it later). */
export async function dashboardProcess(
  args: readonly string[],
  port: number,
  onStart: (p: Proc) => void,
): Promise<string> {
  const p = scriptProcess("dashboard", [...args, "--port", String(port)]);
  onStart(p);
  const end = Date.now() + 60_000;
  while (!p.lines.some((l) => l.includes("serving at"))) {
    if (p.child.exitCode !== null) throw new Error(`the dashboard exited:\n${p.errors.join("\n")}`);
    if (Date.now() > end) throw new Error("the dashboard did not start within 60 s");
    await sleep(100);
  }
  return `http://127.0.0.1:${port}/`;
}
