// Issue 15, point 2: the reviewer reads the page as readers will see it, with what changed
// since their own last decision marked in place; the writer's note and the comments beside;
// the decision always in view (a bar at tablet width).

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';

async function sentBackAndFixed() {
  const sample = loadFixture('ketamine.json');
  const writer = await login('writer@example.com');
  const reviewer = await login('reviewer@example.com');
  const slug = `second-review-e2e-${rand()}`;
  let r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: { note: 'First draft.' } });
  assertEqual(r.status, 200, 'submit');
  r = await api('POST', `/api/v1/manage/pages/${id}/request-changes`, { token: reviewer, body: { revision: 1, comment: 'Say how fast the antidepressant effect is.' } });
  assertEqual(r.status, 200, 'request changes');
  const fixed = structuredClone(sample.content);
  const benefits = fixed.sections.find((s) => s.key === 'benefits');
  benefits.body = benefits.body.replace('fast antidepressant effects', 'antidepressant effects within hours');
  r = await api('PUT', `/api/v1/manage/pages/${id}/content`, { token: writer, ifMatch: r.body.version, body: fixed });
  assertEqual(r.status, 200, 'save revision 2');
  r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: { note: 'Benefits now say "within hours".' } });
  assertEqual(r.status, 200, 'submit revision 2');
  return { id, slug };
}

async function secondReview(t) {
  const { id, slug } = await sentBackAndFixed();
  const page = await t.newPage({ label: 'reviewer' });
  await signIn(page, 'reviewer@example.com');
  await page.goto(`/admin/pages/${id}/review`);
  await expectText(page.getByTestId('review-baseline'), 'Changes since your last decision (revision 1)');
  // Only the benefits section changed, and the new words are marked in the rendered page.
  const marked = page.locator('.reader .chg-block');
  await expectText(marked.first(), 'within hours');
  assertEqual(await marked.count(), 1, 'parts marked as changed');
  await expectText(page.locator('.reader ins.chg'), 'within hours');
  await expectText(page.locator('.reader del.chg'), 'fast');
  await expectText(page.getByTestId('writer-note'), 'Benefits now say "within hours".');
  await expectText(page.locator('.conversation'), 'Say how fast the antidepressant effect is.');
  await screen(page, '45-second-review');

  // The whole page is one click away, unmarked.
  await page.getByLabel('Whole page').check();
  await expectText(page.getByTestId('review-baseline'), 'The whole page');
  await page.locator('.reader').waitFor();
  assertEqual(await page.locator('.reader .chg-block, .reader ins.chg').count(), 0, 'no marks on the whole page');

  // At tablet width the decision is a bar at the bottom of the screen, in view at once.
  const tablet = await t.newPage({ label: 'reviewer-tablet', width: 768, height: 1024 });
  await signIn(tablet, 'reviewer@example.com');
  await tablet.goto(`/admin/pages/${id}/review`);
  const approve = tablet.getByRole('button', { name: 'Approve…' });
  await approve.waitFor();
  const box = await approve.boundingBox();
  assert(box && box.y + box.height <= 1024 && box.y > 800, `Approve is in the bar at the bottom of the screen: ${JSON.stringify(box)}`);
  await tablet.locator('.reader ins.chg').first().waitFor();
  await screen(tablet, '46-second-review-tablet');
  // Request changes without a comment takes the reviewer to the comment field.
  await tablet.getByRole('button', { name: 'Request changes' }).click();
  await tablet.waitForFunction(() => document.activeElement?.id === 'review-comment');
  await tablet.getByLabel('Comment for the writer').fill('Cite the trial for "within hours".');
  await tablet.locator('#review-comment-error').waitFor({ state: 'detached' });
  await tablet.getByRole('button', { name: 'Request changes' }).click();
  await expectText(tablet.locator('.page-facts'), 'Changes requested');

  // The writer finds it among the pages sent back, and the reviewer's comment on it.
  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.getByRole('navigation', { name: 'Page lists' }).getByRole('link', { name: 'Changes requested' }).click();
  await expectText(writer.locator('table'), slug);
  await screen(writer, '54-changes-requested-list');
  await writer.goto(`/admin/pages/${id}`);
  await expectText(writer.locator('.alert-warning'), 'Cite the trial');
}

export const tests = [{ name: 'review: the second review shows only what changed since the reviewer’s request, as readers see it', fn: secondReview }];
