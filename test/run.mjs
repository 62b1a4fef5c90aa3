// `npm test`: runs vitest with any extra arguments, then says whether the Postgres suite ran.
import { spawnSync } from "node:child_process";

const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
if (!process.env.TEST_POSTGRES_URL) {
  console.log(
    "\nNOTE: the Postgres suite was skipped. Run it with " +
      "TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test npm test (or: npm run test:pg).",
  );
}
process.exit(result.status ?? 1);
