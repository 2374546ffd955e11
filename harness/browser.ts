/**
 * A real headless Chromium for the dashboard's tests and benchmark, from the
 * npm registry: @sparticuz/chromium ships a Chromium build for Linux x64
 * inside its npm package, unpacked on first use, driven with puppeteer-core.
 * Elsewhere, VTR_CHROMIUM names a Chromium or Chrome binary, or an installed
 * one is looked for where browsers usually live.
 */
import { existsSync } from "node:fs";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser } from "puppeteer-core";

const PACKAGED = process.platform === "linux" && process.arch === "x64";

/** Installed browsers tried, in order, where the npm package has none. */
const INSTALLED = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];

/** A browser binary other than the packaged one: VTR_CHROMIUM, else an installed one off Linux x64. */
function otherBrowser(): string | undefined {
  if (process.env.VTR_CHROMIUM) return process.env.VTR_CHROMIUM;
  return PACKAGED ? undefined : INSTALLED.find((p) => existsSync(p));
}

/** Why no browser can be had here, or undefined if one can. */
export function browserUnavailable(): string | undefined {
  if (PACKAGED || otherBrowser()) return undefined;
  return (
    `@sparticuz/chromium ships Chromium for Linux x64 only (this is ${process.platform}-${process.arch}) ` +
    "and no installed Chromium or Chrome was found: set VTR_CHROMIUM to one"
  );
}

export async function launchBrowser(): Promise<Browser> {
  const other = otherBrowser();
  return puppeteer.launch({
    executablePath: other ?? (await chromium.executablePath()),
    headless: true,
    // The package's flags (headless shell, software GL) or the usual headless
    // ones, plus those that keep a closed network quiet: no background or
    // component-update connections.
    args: [
      ...(other ? ["--no-sandbox", "--disable-gpu"] : chromium.args),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
}
