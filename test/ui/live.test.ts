import { afterAll, describe, expect, it } from "vitest";
import { BROWSER_AVAILABLE } from "../support/browser.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { openPage, seedCatalog, uiSuite } from "./ui-support.js";

const register = (name: string, version = "v1") => ({
  requestId: `${name}-${version}`,
  registeredModel: { displayName: name, owner: "live-test" },
  modelVersion: { version },
  modelArtifacts: [{ uri: `s3://m/${name}/${version}` }],
});

describe.runIf(BROWSER_AVAILABLE)("[browser] live updates", () => {
  const suite = uiSuite(async (client) => {
    await seedCatalog(client);
  });
  let proxy: TcpProxy | undefined;
  afterAll(async () => {
    await proxy?.close();
  });

  it("shows a model registered from outside within 5 s, without a reload", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    await page.locator("[data-live=live]").waitFor();
    await suite.server.client("grpc").registerModel(register("pushed-from-outside"));
    await page.locator("tr", { hasText: "pushed-from-outside" }).waitFor({ timeout: 5_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("keeps eight tabs of one browser live over cleartext HTTP/1.1 with one shared stream, all responsive", async () => {
    const first = await openPage(suite.browser, `${suite.server.url}/ui/`);
    const pages = [first.page];
    for (let i = 1; i < 8; i++) pages.push((await openPage(suite.browser, `${suite.server.url}/ui/`, first.context)).page);
    await Promise.all(pages.map((p) => p.locator("[data-live=live]").waitFor({ timeout: 10_000 })));
    await suite.server.client("grpc").registerModel(register("seen-by-eight-tabs"));
    await Promise.all(pages.map((p) => p.locator("tr", { hasText: "seen-by-eight-tabs" }).waitFor({ timeout: 5_000 })));
    // Responsive: every tab still makes its calls (with a stream per tab, the seventh would stall).
    await Promise.all(pages.map((p, i) => p.goto(`${suite.server.url}/ui/events?actor=${i}`)));
    await Promise.all(pages.map((p) => p.getByText("No change matches these filters.").waitFor({ timeout: 5_000 })));
    await first.context.close();
  }, 90_000);

  it("says reconnecting when the connection drops, then resumes from its revision without losing a change", async () => {
    proxy = await startTcpProxy("127.0.0.1", Number(new URL(suite.server.url).port));
    const { page, context } = await openPage(suite.browser, `http://127.0.0.1:${proxy.port}/ui/`);
    await page.locator("[data-live=live]").waitFor();
    await proxy.cut();
    await page.locator("[data-live=reconnecting]").waitFor({ timeout: 10_000 });
    // Committed while the browser is away: the resumed stream delivers it.
    await suite.server.client("grpc").registerModel(register("while-disconnected"));
    await proxy.restore();
    await page.locator("[data-live=live]").waitFor({ timeout: 15_000 });
    await page.locator("tr", { hasText: "while-disconnected" }).waitFor({ timeout: 5_000 });
    await context.close();
  }, 60_000);
});
