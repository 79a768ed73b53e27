// Publishing: schedule an approved page for later; unpublish a live page with a reason.

import { api, assertEqual, expectText, loadFixture, login, rand, screen, signIn, PASSWORD } from './harness.mjs';

async function approvedPage(slugPrefix, { publish = false } = {}) {
  const sample = loadFixture('ketamine.json');
  const writer = await login('writer@example.com');
  const reviewer = await login('reviewer2@example.com');
  const slug = `${slugPrefix}-${rand()}`;
  let r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: {} });
  assertEqual(r.status, 200, 'submit');
  r = await api('POST', `/api/v1/manage/pages/${id}/approve`, { token: reviewer, body: { revision: 1, password: PASSWORD } });
  assertEqual(r.status, 200, 'approve');
  if (publish) {
    r = await api('POST', `/api/v1/manage/pages/${id}/publish`, { token: await login('editor@example.com'), body: {} });
    assertEqual(r.status, 200, 'publish');
  }
  return { id, slug };
}

async function schedule(t) {
  const { id, slug } = await approvedPage('schedule-e2e');
  const page = await t.newPage({ label: 'editor' });
  await signIn(page, 'editor@example.com');
  await page.goto(`/admin/pages/${id}/publish`);
  await page.getByLabel('Publish at (your local time)').fill('2031-03-01T09:30');
  await page.getByRole('button', { name: 'Schedule' }).click();
  await expectText(page.locator('.page-facts'), 'Scheduled');
  await expectText(page.locator('.page-facts'), '2031');
  await page.goto('/admin/pages?view=scheduled');
  await expectText(page.locator('table'), slug);
  await screen(page, '23-pages-scheduled');
  const pub = await api('GET', `/api/v1/pages/${slug}`);
  assertEqual(pub.status, 404, 'a scheduled page is not delivered before its time');
}

async function unpublish(t) {
  const { id, slug } = await approvedPage('unpublish-e2e', { publish: true });
  assertEqual((await api('GET', `/api/v1/pages/${slug}`)).status, 200, 'live before');
  const page = await t.newPage({ label: 'editor' });
  await signIn(page, 'editor@example.com');
  await page.goto(`/admin/pages/${id}/publish`);
  await page.getByLabel('Reason for unpublishing').fill('Dosing statement under re-review.');
  await page.getByRole('button', { name: 'Unpublish…' }).click();
  await page.getByRole('dialog', { name: 'Unpublish this page?' }).getByRole('button', { name: 'Unpublish now' }).click();
  await expectText(page.locator('.page-facts'), 'unpublished');
  await expectText(page.locator('.cards'), 'Dosing statement under re-review.');
  await screen(page, '24-unpublished');
  assertEqual((await api('GET', `/api/v1/pages/${slug}`)).status, 410, 'delivery answers 410 after unpublishing');
}

async function periodicReview(t) {
  const { id, slug } = await approvedPage('periodic-e2e', { publish: true });
  const before = await api('GET', `/api/v1/pages/${slug}`);
  assertEqual(before.status, 200, 'live before');
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}/edit`);
  await page.getByRole('button', { name: 'Submit for periodic review' }).click();
  await page.getByRole('dialog', { name: 'Submit for medical review' }).getByRole('button', { name: 'Submit for review' }).click();
  await expectText(page.locator('.page-facts'), 'In review');
  const stored = await api('GET', `/api/v1/manage/pages/${id}`, { token: await login('writer@example.com') });
  assertEqual(stored.body.state, 'in_review', 'state after the periodic submit');
  assertEqual(stored.body.revision, 1, 'no new revision for a periodic review');
  const after = await api('GET', `/api/v1/pages/${slug}`);
  assertEqual(after.status, 200, 'the live revision stays live during its periodic review');

  // An editor sets this page's review cadence.
  const editor = await t.newPage({ label: 'editor' });
  await signIn(editor, 'editor@example.com');
  await editor.goto(`/admin/pages/${id}/publish`);
  await editor.getByLabel('Review every (days)').fill('90');
  await editor.getByRole('button', { name: 'Save cadence' }).click();
  await expectText(editor.locator('[role="status"], .sr-only, body'), 'Review cadence saved');
  const withCadence = await api('GET', `/api/v1/manage/pages/${id}`, { token: await login('editor@example.com') });
  assertEqual(withCadence.body.reviewIntervalDays, 90, 'the page keeps its own review cadence');
  await screen(editor, '25-review-cadence');
}

export const tests = [
  { name: 'editor schedules an approved page', fn: schedule },
  { name: 'editor unpublishes a live page with a reason', fn: unpublish },
  { name: 'writer sends a published page to its periodic medical review', fn: periodicReview },
];
