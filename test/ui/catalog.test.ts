import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BROWSER_AVAILABLE, seriousAxeViolations, UI_DIR } from "../support/browser.js";
import type { Page } from "playwright-core";
import { openPage, screenshot, seedCatalog, uiSuite } from "./ui-support.js";

/**
 * The registry calls a page makes, by method, from the moment this is called. GetCaller (the
 * header's, once per token) and Watch (the shared stream) are not a page's reads and are left out.
 */
function countCalls(page: Page): Map<string, number> {
  const calls = new Map<string, number>();
  page.on("request", (request) => {
    const m = /\/modelregistry\.v1\.ModelRegistryService\/(\w+)$/.exec(new URL(request.url()).pathname);
    if (!m || m[1] === "GetCaller" || m[1] === "Watch") return;
    calls.set(m[1]!, (calls.get(m[1]!) ?? 0) + 1);
  });
  return calls;
}

describe.runIf(BROWSER_AVAILABLE)("[browser] catalog", () => {
  const suite = uiSuite(async (client) => {
    await seedCatalog(client);
  });

  it("lists the models with their latest version, aliases, state and labels", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    const row = page.locator("tr", { hasText: "fraud-detector" });
    await row.waitFor();
    await expect(row.locator("td").nth(3).textContent()).resolves.toBe("v3");
    await expect(row.textContent()).resolves.toContain("@production");
    await expect(row.textContent()).resolves.toContain("LIVE");
    await expect(row.textContent()).resolves.toContain("team=risk");
    expect(await page.locator("tbody tr").count()).toBe(3);
    // The aliases column names the version each alias points at.
    await expect(row.locator("td").nth(4).textContent()).resolves.toContain("v1");
    await page.locator("[data-live=live]").waitFor();
    await screenshot(page, "catalog");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("reads a page of the catalog in one call: the models with their latest versions and aliases", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const calls = countCalls(page);
    await page.goto(`${suite.server.url}/ui/`);
    await page.locator("tr", { hasText: "fraud-detector" }).locator("td", { hasText: "@production" }).waitFor();
    await page.locator("[data-live=live]").waitFor();
    expect(Object.fromEntries(calls)).toEqual({ ListRegisteredModels: 1 });
    await context.close();
  }, 60_000);

  it("filters with the filter language and shows a filter error inline", async () => {
    const { page } = await openPage(suite.browser, `${suite.server.url}/ui/?filter=${encodeURIComponent('name = "churn-predictor"')}`);
    await page.locator("tr", { hasText: "churn-predictor" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.keyboard.press("/");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("name = = 1");
    await page.keyboard.press("Enter");
    const error = page.locator("#filter-error [role=alert]");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/filter/i);
    expect(new URL(page.url()).searchParams.get("filter")).toBe("name = = 1");
    await page.context().close();
  }, 60_000);

  it("opens a model with the keyboard: j moves to a row, Enter opens it", async () => {
    const { page } = await openPage(suite.browser, `${suite.server.url}/ui/?sort=display_name`);
    await page.locator("tbody tr").first().waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ui\/models\/\d+$/);
    await page.context().close();
  }, 60_000);

  it("has no serious or critical accessibility violations", async () => {
    const { page } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    await page.locator("tbody tr").first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("loads at most 200 KB of gzipped JavaScript for the first page (the shared watch worker included)", async () => {
    const { page } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    await page.locator("[data-live=live]").waitFor();
    const scripts = await page.evaluate("performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js'))");
    const files = new Set<string>([...(scripts as string[]).map((url) => new URL(url).pathname.replace(/^\/ui\//, ""))]);
    const index = readFileSync(join(UI_DIR, "index.html"), "utf8");
    for (const m of index.matchAll(/src="\/ui\/([^"]+\.js)"/g)) files.add(m[1]!);
    // The shared worker's script loads in the worker, not the page: count it from the bundle that starts it.
    for (const file of [...files]) for (const m of readFileSync(join(UI_DIR, file), "utf8").matchAll(/\/ui\/(assets\/[\w-]+\.js)/g)) files.add(m[1]!);
    const gzipped = [...files].reduce((sum, file) => sum + gzipSync(readFileSync(join(UI_DIR, file))).length, 0);
    expect(files.size).toBeGreaterThanOrEqual(2);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
    await page.context().close();
  }, 60_000);
});

describe.runIf(BROWSER_AVAILABLE)("[browser] catalog pages", () => {
  const suite = uiSuite(async (client) => {
    for (let i = 0; i < 60; i++) {
      const name = `bulk-${String(i).padStart(2, "0")}`;
      await client.registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" }, alias: i % 2 === 0 ? "staging" : "" });
    }
  });

  it("reads each page with one call, the next page's rows with their versions and aliases", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const calls = countCalls(page);
    await page.goto(`${suite.server.url}/ui/?sort=display_name`);
    await page.locator("tr", { hasText: "bulk-00" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(50);
    expect(Object.fromEntries(calls)).toEqual({ ListRegisteredModels: 1 });
    await page.getByRole("button", { name: "Next" }).click();
    const row = page.locator("tr", { hasText: "bulk-58" });
    await row.waitFor();
    await expect(row.locator("td").nth(3).textContent()).resolves.toBe("v1");
    await expect(row.textContent()).resolves.toContain("@staging");
    expect(await page.locator("tbody tr").count()).toBe(10);
    expect(Object.fromEntries(calls)).toEqual({ ListRegisteredModels: 2 });
    await context.close();
  }, 60_000);
});
