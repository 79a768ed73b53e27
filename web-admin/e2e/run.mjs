// Runs the browser tests: node e2e/run.mjs [name-filter]. Needs MONOGRAPH_URL (a running
// `monograph serve --demo` with the admin built in). Prints "N passed, N failed". With
// E2E_FAILURES set, also appends each failed test's name and error, as it fails, to that file
// (and an error that stops the run), which scripts/e2e prints last, after the server's log,
// so the end of a CI log names them.

import { appendFileSync, writeFileSync } from 'node:fs';
import { launchBrowser, TestContext } from './harness.mjs';
import { tests as workflow } from './workflow.test.mjs';
import { tests as conflict } from './conflict.test.mjs';
import { tests as screens } from './screens.test.mjs';
import { tests as review } from './review.test.mjs';
import { Skip, tests as admin } from './admin.test.mjs';
import { tests as publishing } from './publishing.test.mjs';
import { tests as safety } from './safety.test.mjs';
import { tests as accounts } from './accounts.test.mjs';
import { tests as actions } from './actions.test.mjs';
import { tests as reviewing } from './reviewing.test.mjs';
import { tests as preview } from './preview.test.mjs';
import { tests as longpage } from './longpage.test.mjs';
import { tests as savedElsewhere } from './savedelsewhere.test.mjs';
import { tests as tablet } from './tablet.test.mjs';
import { tests as media } from './media.test.mjs';
import { tests as translations } from './translations.test.mjs';
import { tests as notifications } from './notifications.test.mjs';

const all = [...workflow, ...review, ...publishing, ...safety, ...conflict, ...screens, ...admin, ...accounts, ...actions, ...reviewing, ...preview, ...longpage, ...savedElsewhere, ...tablet, ...translations, ...media, ...notifications];
const filter = process.argv[2];
const selected = filter ? all.filter((t) => t.name.includes(filter)) : all;

const failuresFile = process.env.E2E_FAILURES;
if (failuresFile) writeFileSync(failuresFile, '');
/** Records a failure where scripts/e2e finds it even if the run stops later. */
const recordFailure = (line) => failuresFile && appendFileSync(failuresFile, line.replace(/\s*\n\s*/g, ' | ').slice(0, 500) + '\n');
const stopped = (e) => {
  recordFailure(`the run stopped: ${e?.stack || e}`);
  console.error(e);
  process.exit(1);
};
process.on('uncaughtException', stopped);
process.on('unhandledRejection', stopped);

const browser = await launchBrowser();
let passed = 0;
let failed = 0;
let skipped = 0;
const started = Date.now();
for (const t of selected) {
  const ctx = new TestContext(browser, t.name);
  const t0 = Date.now();
  let error = null;
  try {
    await t.fn(ctx);
  } catch (e) {
    error = e;
  }
  await ctx.close();
  if (!error && ctx.errors.length) error = new Error('errors in the browser:\n  ' + ctx.errors.join('\n  '));
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (error instanceof Skip) {
    skipped++;
    console.log(`- ${t.name}: SKIPPED, ${error.message}`);
  } else if (error) {
    failed++;
    recordFailure(`✗ ${t.name} (${secs}s): ${String(error.message || error)}`);
    console.log(`✗ ${t.name} (${secs}s)\n    ${String(error.stack || error).split('\n').join('\n    ')}`);
  } else {
    passed++;
    console.log(`✓ ${t.name} (${secs}s)`);
  }
}
await browser.close();
console.log(`\nbrowser tests: ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed ? 1 : 0);
