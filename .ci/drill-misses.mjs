// Names the fault drills that missed their bar in a vitest JSON report, with the first line of each
// failure, so that CI's rerun of the drills says what it is rerunning. Usage: node drill-misses.mjs REPORT
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.log(
    `  (no drill report at ${path}: ${error.message}; the drill output above says which one failed)`,
  );
  process.exit(0);
}
for (const file of report.testResults ?? []) {
  if (file.status === 'passed') continue;
  const name = relative(process.cwd(), file.name);
  const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
  if (failed.length === 0)
    console.log(`  ${name}: ${(file.message || 'failed before its drills ran').split('\n')[0]}`);
  for (const test of failed) {
    const reason = (test.failureMessages?.[0] ?? 'failed').split('\n')[0];
    console.log(`  ${name} › ${test.fullName}: ${reason}`);
  }
}
