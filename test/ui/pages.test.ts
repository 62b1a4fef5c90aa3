import { describe, expect, it } from "vitest";
import { BROWSER_AVAILABLE, seriousAxeViolations } from "../support/browser.js";
import { openPage, screenshot, seedCatalog, seedLineage, uiSuite } from "./ui-support.js";

describe.runIf(BROWSER_AVAILABLE)("[browser] model, version, compare and audit log pages", () => {
  let fraud = "";
  const suite = uiSuite(async (client) => {
    const seeded = await seedCatalog(client);
    fraud = seeded.fraud;
    await seedLineage(client, fraud, seeded.fraudV1);
  });

  it("goes catalog → model → version → compare, each page accessible and without errors", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    await page.getByRole("link", { name: "fraud-detector" }).click();
    await page.waitForURL(/\/ui\/models\/\d+$/);
    // Versions with a column per metric, newest first.
    await page.locator("th", { hasText: "accuracy" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(3);
    expect(await page.locator("tbody tr").first().textContent()).toContain("v3");
    await page.locator("[data-live=live]").waitFor();
    await screenshot(page, "model");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Sort by a metric (on the server): the best accuracy first.
    await page.getByRole("button", { name: "accuracy" }).click();
    await page.waitForURL(/sort=custom_properties/);
    await expect.poll(() => page.locator("tbody tr").first().textContent()).toContain("v2");
    // Pick two versions and compare them.
    await page.getByLabel("Select v1 to compare").check();
    await page.getByLabel("Select v2 to compare").check();
    await page.getByRole("button", { name: "Compare selected (2)" }).click();
    await page.waitForURL(/\/ui\/compare\?v=/);
    const accuracy = page.locator("tr", { has: page.locator("th", { hasText: "accuracy" }) });
    await accuracy.waitFor();
    expect(await accuracy.locator("td.best").textContent()).toContain("0.9500");
    expect(await page.locator("svg.chart").count()).toBe(1);
    // The picker adds a version of the model (v3: the one not compared yet), the × removes it again.
    const picker = page.getByRole("form", { name: "Add a version" });
    await expect.poll(() => picker.getByLabel("Version").locator("option").allTextContents()).toEqual(["v3"]);
    await screenshot(page, "compare");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await picker.getByRole("button", { name: "Add to comparison" }).click();
    await page.getByRole("heading", { name: "Compare 3 versions" }).waitFor();
    expect(new URL(page.url()).searchParams.getAll("v")).toHaveLength(3);
    await page.getByRole("button", { name: "Remove fraud-detector v3" }).click();
    await page.getByRole("heading", { name: "Compare 2 versions" }).waitFor();
    // The version page: artifacts with copy, metadata, lineage, deployments, history.
    await page.getByRole("link", { name: "fraud-detector v1" }).click();
    await page.waitForURL(/\/ui\/models\/\d+\/versions\/\d+$/);
    await page.getByText("s3://ml-models/fraud-detector/v1/model.onnx").waitFor();
    await page.getByText("learning_rate").waitFor();
    await page.getByText("fraud-api").waitFor();
    expect(await page.locator("svg.chart polyline").count()).toBe(1);
    expect(await page.textContent("main")).toContain("@production");
    expect(await page.textContent("main")).toContain("fraud-events");
    await screenshot(page, "version");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("shows aliases with their history and the model's deployments and activity", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/ui/models/${fraud.split("/")[1]}?tab=aliases`);
    await page.getByRole("button", { name: "Move…" }).waitFor();
    expect(await page.textContent("main")).toContain("passed review");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("tab", { name: "Deployments" }).click();
    await page.getByText("fraud-api").waitFor();
    await page.getByRole("tab", { name: "Activity" }).click();
    await page.locator("td", { hasText: "alias set" }).first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("filters the audit log by actor and type, newest first", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/ui/events`);
    await page.locator("tbody tr").first().waitFor();
    const revisions = await page.locator("tbody tr td:first-child").allTextContents();
    expect(revisions.map(Number)).toEqual([...revisions.map(Number)].sort((a, b) => b - a));
    await screenshot(page, "events");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel("Type").selectOption({ label: "alias set" });
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/type=5/);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody tr").textContent()).toContain("@production");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
