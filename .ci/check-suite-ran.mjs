// Fails CI when a suite that skips itself on a bare machine was skipped: counts passed and skipped
// tests under a describe whose name carries "[<tag>]" ("[postgres]", "[browser]") in the vitest
// JSON report. Usage: node .ci/check-suite-ran.mjs REPORT TAG
import { readFileSync } from "node:fs";

const [reportPath, tag] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, "utf8"));
let passed = 0;
let skipped = 0;
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    if (!test.ancestorTitles.some((t) => t.includes(`[${tag}]`))) continue;
    if (test.status === "passed") passed++;
    else skipped++;
  }
}
console.log(`[${tag}] suite: ${passed} passed, ${skipped} not passed`);
if (passed === 0 || skipped > 0) {
  console.error(`the [${tag}] suite did not run in full`);
  process.exit(1);
}
