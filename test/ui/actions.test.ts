import { describe, expect, it } from "vitest";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { BROWSER_AVAILABLE, seriousAxeViolations } from "../support/browser.js";
import { openPage, screenshot, seedCatalog, uiSuite } from "./ui-support.js";

describe.runIf(BROWSER_AVAILABLE)("[browser] write actions", () => {
  let fraud = "";
  const suite = uiSuite(async (client) => {
    ({ fraud } = await seedCatalog(client));
  });
  const modelUrl = (query = "") => `${suite.server.url}/ui/models/${fraud.split("/")[1]}${query}`;
  const versionName = async (version: string) => {
    const { modelVersions } = await suite.server.client("grpc").listModelVersions({ parent: fraud, filter: `version = "${version}"` });
    return modelVersions[0]!.name;
  };

  it("moves an alias with compare-and-set: a lost race shows the current target and retries from it", async () => {
    const { page, errors } = await openPage(suite.browser, modelUrl("?tab=aliases"));
    await page.getByRole("button", { name: "Move…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Version").selectOption({ label: "v3" });
    await dialog.getByLabel(/^Reason/).fill("canary looked good");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "move-alias");
    // Someone else moves @production to v2 while the dialog is open.
    await suite.server.client("grpc").setAlias({ name: `${fraud}/aliases/production`, modelVersion: await versionName("v2"), reason: "hotfix" });
    await dialog.getByRole("button", { name: "Move alias" }).click();
    const alert = dialog.getByRole("alert");
    await alert.getByText("v2").waitFor();
    expect(await alert.textContent()).toContain("Nothing was changed");
    const { alias } = await suite.server.client("grpc").getAlias({ name: `${fraud}/aliases/production` });
    expect(alias!.version).toBe("v2");
    await alert.getByRole("button", { name: "Retry from there" }).click();
    await dialog.getByRole("button", { name: "Move alias" }).click();
    await dialog.waitFor({ state: "detached" });
    const after = await suite.server.client("grpc").getAlias({ name: `${fraud}/aliases/production` });
    expect(after.alias!.version).toBe("v3");
    await page.locator("td", { hasText: "canary looked good" }).waitFor();
    // The browser logs the refused call (409); nothing else went wrong.
    expect(errors.filter((e) => !e.includes("409 (Conflict)"))).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("edits description and labels with the etag: a conflict is shown and nothing is overwritten", async () => {
    const { page } = await openPage(suite.browser, modelUrl());
    await page.getByRole("button", { name: "Edit…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Description").fill("mine");
    await suite.server.client("grpc").updateRegisteredModel({
      registeredModel: { name: fraud, description: "theirs" },
      updateMask: { paths: ["description"] },
    });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog
      .getByRole("alert")
      .getByText(/changed by someone else/)
      .waitFor();
    const { registeredModel } = await suite.server.client("grpc").getRegisteredModel({ name: fraud });
    expect(registeredModel!.description).toBe("theirs");
    await dialog.getByRole("button", { name: "Close" }).click();
    // Without a race the edit goes through, labels included.
    await page.getByText("theirs").waitFor();
    await page.getByRole("button", { name: "Edit…" }).click();
    await dialog.getByLabel("Description").fill("fraud scoring for card payments");
    await dialog.getByLabel(/^Labels/).fill("team=risk\ntier=1");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const saved = await suite.server.client("grpc").getRegisteredModel({ name: fraud });
    expect(saved.registeredModel!.description).toBe("fraud scoring for card payments");
    expect(saved.registeredModel!.labels).toEqual({ team: "risk", tier: "1" });
    await page.context().close();
  }, 60_000);

  it("archives and restores a model with a reason", async () => {
    const { page } = await openPage(suite.browser, modelUrl());
    const dialog = page.getByRole("dialog");
    const submit = async (open: string, reason: string, button: string) => {
      if (open) await page.getByRole("button", { name: open }).click();
      await dialog.getByLabel(/^Reason/).fill(reason);
      await dialog.getByRole("button", { name: button }).click();
    };
    await submit("Archive…", "replaced by v4 pipeline", "Archive");
    // @production points at a LIVE version: refused, with the server's reason, until the versions go too.
    await dialog.getByRole("alert").getByText("MODEL_IN_USE").waitFor();
    await dialog.getByLabel(/LIVE versions too/).check();
    await submit("", "replaced by v4 pipeline", "Archive");
    await page.locator(".page-head .chip", { hasText: "ARCHIVED" }).waitFor();
    await submit("Restore…", "still needed", "Restore");
    await page.locator(".page-head .chip", { hasText: "LIVE" }).waitFor();
    const { events } = await suite.server.client("grpc").listEvents({ resourceName: fraud, orderBy: "revision desc", pageSize: 2 });
    expect(events.map((e) => e.reason)).toEqual(["still needed", "replaced by v4 pipeline"]);
    expect(events[1]!.type).toBe(EventType.STATE_CHANGED);
    await page.context().close();
  }, 60_000);
});
