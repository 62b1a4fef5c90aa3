// Fails CI when the Postgres suite was skipped: counts passed and skipped tests whose
// names carry "[postgres]" in the vitest JSON report.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
let passed = 0;
let skipped = 0;
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    if (!test.ancestorTitles.some((t) => t.includes("[postgres]"))) continue;
    if (test.status === "passed") passed++;
    else skipped++;
  }
}
console.log(`Postgres suite: ${passed} passed, ${skipped} not passed`);
if (passed === 0 || skipped > 0) {
  console.error("the Postgres suite did not run in full");
  process.exit(1);
}
