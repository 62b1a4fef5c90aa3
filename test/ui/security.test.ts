import { describe, expect, it } from "vitest";
import { BROWSER_AVAILABLE } from "../support/browser.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startSecureServer, type TestTokens, tempDir, writeTokensFile } from "../security/support.js";
import { openPage, seedCatalog, type UiServer, uiSuite } from "./ui-support.js";

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const README = [
  `# Fraud detector <img src=x onerror="window.__pwned=4">`,
  "",
  "Trained on **q4** data with `xgboost`. See [the docs](https://example.com/docs) or [this](javascript:window.__pwned=5).",
  "",
  "- first",
  "- second",
  "",
  "<script>window.__pwned=6</script>",
].join("\n");

describe.runIf(BROWSER_AVAILABLE)("[browser] sign-in and hostile data", () => {
  const temp = tempDir();
  let tokens: TestTokens;
  let fraud = "";
  let fraudV1 = "";
  const start = async (): Promise<UiServer> => {
    tokens = writeTokensFile(temp.dir, { admin: "admin", alice: "editor", vic: "viewer" });
    const server = await startSecureServer(SERVER_DIALECTS[0]!, { auth: { tokensFile: tokens.path, reloadIntervalMs: 100 } });
    return {
      url: server.url,
      client: (protocol) => server.client(protocol, { token: tokens.secret.admin! }),
      close: async () => {
        await server.close();
        temp.cleanup();
      },
    };
  };
  const suite = uiSuite(async (client) => {
    ({ fraud, fraudV1 } = await seedCatalog(client));
    await client.updateRegisteredModel({
      registeredModel: { name: fraud, description: HOSTILE, labels: { note: `"><svg onload=window.__pwned=3>` }, readme: README },
      updateMask: { paths: ["description", "labels", "readme"] },
    });
  }, start);

  it("asks for a token, keeps it in the tab only, asks again when it is revoked, and resumes", async () => {
    const { page, context } = await openPage(suite.browser, `${suite.server.url}/ui/`);
    const dialog = page.getByRole("dialog", { name: "Sign in" });
    await dialog.waitFor();
    await dialog.getByLabel("Token").fill(tokens.secret.alice!);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("tr", { hasText: "fraud-detector" }).waitFor();
    await page.locator("[data-live=live]").waitFor();
    expect(page.url()).not.toContain(tokens.secret.alice!);
    expect(await page.evaluate("sessionStorage.getItem('model-registry.token')")).toBe(tokens.secret.alice);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    // Revoked: the open stream authenticates again, is refused, and the UI asks for a token.
    tokens.write({ admin: "admin" });
    await dialog.waitFor({ timeout: 10_000 });
    await page.locator("[data-live=signed-out]").waitFor();
    await dialog.getByLabel("Token").fill(tokens.secret.admin!);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("[data-live=live]").waitFor({ timeout: 10_000 });
    await suite.server.client("grpc").registerModel({ registeredModel: { displayName: "after-resume" }, modelVersion: { version: "v1" } });
    await page.locator("tr", { hasText: "after-resume" }).waitFor({ timeout: 5_000 });
    await context.close();
  }, 60_000);

  /** A page of a fresh context whose tab is signed in with the subject's token. */
  const signedIn = async (subject: "admin" | "alice" | "vic", path: string) => {
    // An earlier test revokes tokens: give them back (same secrets), and let the server reread the file.
    tokens.write({ admin: "admin", alice: "editor", vic: "viewer" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem("model-registry.token", ${JSON.stringify(tokens.secret[subject])})`);
    return openPage(suite.browser, `${suite.server.url}${path}`, context);
  };

  it("shows a viewer its subject and role, and offers it no write action", async () => {
    const { page, context } = await signedIn("vic", `/ui/models/${fraud.split("/")[1]}`);
    const who = page.getByTestId("caller");
    await who.waitFor();
    expect(await who.textContent()).toBe("vic viewer");
    await page.locator("tbody tr").first().waitFor();
    for (const name of ["Edit…", "Archive…"]) expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    await page.goto(`${suite.server.url}/ui/models/${fraud.split("/")[1]}/versions/${fraudV1.split("/")[3]}`);
    await page.getByRole("heading", { name: "fraud-detector v1" }).waitFor();
    await page.getByRole("heading", { name: "Artifacts" }).waitFor();
    expect(await page.getByRole("button", { name: "Set alias…" }).count()).toBe(0);
    await page.goto(`${suite.server.url}/ui/models/${fraud.split("/")[1]}?tab=aliases`);
    await page.locator("td", { hasText: "@production" }).first().waitFor();
    for (const name of ["Edit…", "Archive…", "Restore…", "Set a new alias…", "Move…", "Set alias…"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    await context.close();
  }, 60_000);

  it("offers an editor the model's actions and unprotected aliases, but not moving production", async () => {
    const { page, context } = await signedIn("alice", `/ui/models/${fraud.split("/")[1]}?tab=aliases`);
    await page.locator("td", { hasText: "@production" }).first().waitFor();
    expect(await page.getByTestId("caller").textContent()).toBe("alice editor");
    await page.getByRole("button", { name: "Edit…" }).waitFor();
    expect(await page.getByRole("button", { name: "Archive…" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Set a new alias…" }).count()).toBe(1);
    expect(await page.locator("tr", { hasText: "@production" }).getByRole("button", { name: "Move…" }).count()).toBe(0);
    await page.getByRole("button", { name: "Set a new alias…" }).click();
    await page.getByRole("dialog", { name: "Set an alias" }).waitFor();
    await context.close();
  }, 60_000);

  it("renders script-bearing values as text: nothing executes", async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem("model-registry.token", ${JSON.stringify(tokens.secret.admin)})`);
    const { page } = await openPage(suite.browser, `${suite.server.url}/ui/models/${fraud.split("/")[1]}`, context);
    await page.getByText(HOSTILE).waitFor();
    await page.getByText(`note="><svg onload=window.__pwned=3>`).waitFor();
    // The README is Markdown rendered to elements: its HTML stays text, only safe URLs become links.
    await page.goto(`${suite.server.url}/ui/models/${fraud.split("/")[1]}?tab=readme`);
    await page.getByRole("heading", { name: `Fraud detector <img src=x onerror="window.__pwned=4">` }).waitFor();
    expect(await page.locator(".markdown strong").textContent()).toBe("q4");
    expect(await page.locator(".markdown code").textContent()).toBe("xgboost");
    expect(await page.locator(".markdown a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toEqual(["https://example.com/docs"]);
    await page.getByText("[this](javascript:window.__pwned=5)").waitFor();
    expect(await page.locator(".markdown li").allTextContents()).toEqual(["first", "second"]);
    await page.getByText("<script>window.__pwned=6</script>").waitFor();
    expect(await page.locator("main img, main script").count()).toBe(0);
    await page.goto(`${suite.server.url}/ui/?filter=${encodeURIComponent(HOSTILE)}`);
    await page.locator("#filter-error [role=alert]").waitFor();
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.locator("main img, main script, main svg[onload]").count()).toBe(0);
    await context.close();
  }, 60_000);
});
