/**
 * A real headless Chromium for the dashboard's tests and benchmark, from the
 * npm registry: @sparticuz/chromium ships a Chromium build inside its npm
 * package (Linux x64 and arm64), unpacked on first use, driven with
 * puppeteer-core. VTR_CHROMIUM names another Chromium or Chrome binary
 * instead (any platform).
 */
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser } from "puppeteer-core";

/** Why no browser can be had here, or undefined if one can. */
export function browserUnavailable(): string | undefined {
  if (process.env.VTR_CHROMIUM) return undefined;
  if (process.platform !== "linux" || !["x64", "arm64"].includes(process.arch))
    return `@sparticuz/chromium ships Chromium for Linux x64/arm64 only (this is ${process.platform}-${process.arch}): set VTR_CHROMIUM to a Chromium or Chrome binary`;
  return undefined;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.VTR_CHROMIUM ?? (await chromium.executablePath());
  return puppeteer.launch({
    executablePath,
    headless: true,
    // The package's flags (headless shell, software GL) plus those that keep a
    // closed network quiet: no background or component-update connections.
    args: [
      ...(process.env.VTR_CHROMIUM ? ["--headless=new", "--no-sandbox", "--disable-gpu"] : chromium.args),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
}
