/**
 * Progress logging for long work. snarkjs accepts any object with these
 * methods as its logger, so the same one shows its progress too.
 */
export interface Logger {
  info(msg: string): void;
  debug(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger printing timestamped lines to stderr, prefixed with `tag`. */
export function consoleLogger(tag: string, verbose = false): Logger {
  const t0 = Date.now();
  const line = (level: string, msg: string): void => {
    const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${s}s] ${tag}${level}${msg}\n`);
  };
  return {
    info: (m) => {
      line(" ", m);
    },
    debug: (m) => {
      if (verbose) line(" . ", m);
    },
    warn: (m) => {
      line(" warning: ", m);
    },
    error: (m) => {
      line(" error: ", m);
    },
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info() {}, debug() {}, warn() {}, error() {} };

/**
 * snarkjs keeps the bn128 curve (and its worker threads) in a global for
 * reuse, which keeps Node alive after the work is done. Call this when done.
 */
export async function releaseSnarkjs(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  if (g.curve_bn128) {
    await g.curve_bn128.terminate();
    delete g.curve_bn128;
  }
}
