import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium (CI installs it); another binary with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Whether the browser suite runs; without Chromium it is skipped with a note, except in CI. */
export const BROWSER_AVAILABLE = existsSync(CHROMIUM_PATH);
export const BROWSER_SKIP_NOTE = `note: ${CHROMIUM_PATH} is missing, so the browser suite is skipped; install it with apt-get install -y --no-install-recommends chromium`;

if (process.env.CI === "true" && !BROWSER_AVAILABLE) {
  throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: the browser suite must run in CI`);
}

/**
 * Headless, as root (no sandbox), and quiet on a closed network: without the background-networking
 * flags Chromium keeps trying to reach its update and sync services.
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Chromium with the flags above; the benchmark passes a wrapper that pins it to a core. */
export function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath, args: FLAGS });
}

const ROOT = join(import.meta.dirname, "..", "..");
export const UI_DIR = join(ROOT, "dist", "ui");
const SOURCES = [join(ROOT, "clients", "web", "src"), join(ROOT, "clients", "web", "index.html"), join(ROOT, "clients", "web", "vite.config.ts")];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the web UI into dist/ui when it is missing or older than its sources (`npm run build`
 * does it too; CI builds before testing). Test files run in parallel: a lock folder keeps two
 * builds from writing dist/ui at once.
 */
export async function ensureUiBuilt(): Promise<void> {
  const lock = join(ROOT, "dist", ".ui-build-lock");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for two minutes: remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const index = join(UI_DIR, "index.html");
    if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newest))) return;
    execFileSync(process.execPath, [join(ROOT, "clients", "web", "build.mjs")], { cwd: ROOT, stdio: "inherit" });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** One axe-core finding, as a test failure shows it. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * The serious and critical accessibility violations of what the page shows now. axe-core is
 * evaluated through the DevTools protocol (the page's Content-Security-Policy would refuse an
 * injected script tag, as it should), then axe.run() checks the document.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const found: AxeViolation[] = await page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })))`);
  return found;
}

/** Where the test run writes the screenshots of each page (docs/ui.md shows them). */
export const SCREENSHOT_DIR = join(ROOT, "docs", "images", "ui");
