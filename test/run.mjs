// `npm test`: runs vitest with any extra arguments. Without TEST_POSTGRES_URL the Postgres suite is
// skipped; that is said before the run (so it is not read as the cause of a failure) and repeated after
// a green run only.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const postgres = Boolean(process.env.TEST_POSTGRES_URL);
const how = "TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test npm test (or: npm run test:pg)";
if (!postgres) console.log(`note: TEST_POSTGRES_URL is not set, so the Postgres suite is skipped; run it with ${how}.\n`);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const browser = existsSync(chromium);
if (!browser)
  console.log(
    `note: ${chromium} is missing, so the browser suite is skipped; install it with apt-get install -y --no-install-recommends chromium.\n`,
  );

const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
const status = result.status ?? 1;
if (!postgres && status === 0) console.log("\nAll tests passed on SQLite; the Postgres suite was skipped (see the note above).");
if (!browser && status === 0) console.log("The browser suite was skipped: Chromium is missing (see the note above).");
process.exit(status);
