// Issue 15, point 1 and publishing: the admin shows what the server says the user may do
// (the page's `actions`, /auth/me's permissions) and nothing from a copy of the rules; an
// editor cancels a schedule; a refused submission names its blocker and goes to its field.

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn, PASSWORD } from './harness.mjs';

const TABLET = { width: 768, height: 1024 };

async function newPageAs(slugPrefix, content, { submit = false, approve = false } = {}) {
  const writer = await login('writer@example.com');
  const slug = `${slugPrefix}-${rand()}`;
  let r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug, content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  if (submit || approve) {
    r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: {} });
    assertEqual(r.status, 200, 'submit');
  }
  if (approve) {
    r = await api('POST', `/api/v1/manage/pages/${id}/approve`, { token: await login('reviewer2@example.com'), body: { revision: 1, password: PASSWORD } });
    assertEqual(r.status, 200, 'approve');
  }
  return { id, slug };
}

// The policy lets an admin publish and moderate: the screens used to say "Only editors
// publish pages" and "Not found" for reader reviews.
async function adminPublishesAndModerates(t) {
  const sample = loadFixture('ketamine.json');
  const draft = await newPageAs('admin-draft-e2e', sample.content);
  const ready = await newPageAs('admin-publish-e2e', sample.content, { approve: true });
  const name = `Reader ${rand()}`;
  assertEqual((await api('POST', '/api/v1/pages/ketamine/reviews', { body: { name, rating: 5, body: 'Helpful.' } })).status, 202, 'reader review');

  const page = await t.newPage({ label: 'admin' });
  await signIn(page, 'admin@example.com');

  // A draft: publishing is among the admin's permissions; what stops it is the missing
  // signature, in the server's words.
  await page.goto(`/admin/pages/${draft.id}/publish`);
  await expectText(page.getByTestId('publish-refusal'), 'must approve it before it can be published');
  assertEqual(await page.getByText('Only editors publish pages').count(), 0, 'no copy of the policy');

  await page.goto(`/admin/pages/${ready.id}/publish`);
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByRole('dialog', { name: 'Publish this page now?' }).getByRole('button', { name: 'Publish revision 1' }).click();
  await expectText(page.locator('.page-facts'), 'Published');
  assertEqual((await api('GET', `/api/v1/pages/${ready.slug}`)).status, 200, 'published by the admin');
  await screen(page, '40-admin-published');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reader reviews' }).click();
  const card = page.locator('.review-list > li', { hasText: name });
  await card.waitFor();
  await screen(page, '41-admin-reader-reviews');
  await page.getByRole('button', { name: `Approve review by ${name}` }).click();
  await card.waitFor({ state: 'detached' });

  // "Awaiting my review" is a page list, shown to whom the policy lets sign: not the admin,
  // and never twice for a reviewer.
  assertEqual(await page.getByRole('link', { name: 'Awaiting my review' }).count(), 0, 'no review queue for an admin');
  const reviewer = await t.newPage({ label: 'reviewer' });
  await signIn(reviewer, 'reviewer@example.com');
  assertEqual(await reviewer.getByRole('link', { name: 'Awaiting my review' }).count(), 1, '"Awaiting my review" once');
}

// Publishing: a schedule can be called off (with a confirmation); the unpublish reason's
// error goes once a reason is typed.
async function cancelSchedule(t) {
  const sample = loadFixture('ketamine.json');
  const { id, slug } = await newPageAs('cancel-e2e', sample.content, { approve: true });
  const editorToken = await login('editor@example.com');
  assertEqual((await api('POST', `/api/v1/manage/pages/${id}/publish`, { token: editorToken, body: { at: '2031-03-01T09:30:00Z' } })).status, 200, 'schedule');

  // A writer is not offered the cancellation.
  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.goto(`/admin/pages/${id}/publish`);
  await expectText(writer.locator('.cards'), 'not among your permissions');
  assertEqual(await writer.getByRole('button', { name: 'Cancel the schedule…' }).count(), 0, 'no cancel button for a writer');

  const page = await t.newPage({ label: 'editor' });
  await signIn(page, 'editor@example.com');
  await page.goto(`/admin/pages/${id}/publish`);
  await expectText(page.locator('.page-facts'), 'Scheduled');
  await page.getByRole('button', { name: 'Cancel the schedule…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel the scheduled publication?' });
  await expectText(dialog, 'The approval stands');
  await screen(page, '42-cancel-schedule-confirm');
  // Keeping it changes nothing.
  await dialog.getByRole('button', { name: 'Keep the schedule' }).click();
  await expectText(page.locator('.page-facts'), 'Scheduled');
  await page.getByRole('button', { name: 'Cancel the schedule…' }).click();
  await dialog.getByRole('button', { name: 'Cancel the schedule' }).click();
  await expectText(page.locator('.page-facts'), 'Approved');
  const stored = await api('GET', `/api/v1/manage/pages/${id}`, { token: editorToken });
  assertEqual([stored.body.state, stored.body.scheduledAt], ['approved', null], 'state after cancelling');
  const audit = await api('GET', `/api/v1/manage/pages/${id}/audit`, { token: editorToken });
  const last = audit.body.data[audit.body.data.length - 1];
  assertEqual([last.action, last.data.reason], ['schedule_cancelled', `cancelled by ${last.actorName}`], 'audit event');

  // Publish it now, then take it down: the reason's error goes once a reason is typed.
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByRole('dialog', { name: 'Publish this page now?' }).getByRole('button', { name: 'Publish revision 1' }).click();
  await expectText(page.locator('.page-facts'), 'Published');
  await page.getByRole('button', { name: 'Unpublish…' }).click();
  const reasonError = page.locator('#unpublish-reason-error');
  await expectText(reasonError, 'Give a reason');
  await page.getByLabel('Reason for unpublishing').fill('Dose table under re-review.');
  await reasonError.waitFor({ state: 'detached' });
  assertEqual((await api('GET', `/api/v1/pages/${slug}`)).status, 200, 'still live until confirmed');

  const tablet = await t.newPage({ label: 'editor-tablet', ...TABLET });
  await signIn(tablet, 'editor@example.com');
  await tablet.goto(`/admin/pages/${id}/publish`);
  await tablet.getByRole('button', { name: 'Unpublish…' }).waitFor();
  await screen(tablet, '43-publish-tablet');
}

// Point 6: the submit dialog names the blocking check in the server's words (never an empty
// badge), its Submit is disabled while the blocker is known, and the check links to its field.
async function submitBlocked(t) {
  const sample = loadFixture('ketamine.json');
  const { id } = await newPageAs('blocked-e2e', { ...sample.content, disclaimer: '' });
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}`);
  await expectText(page.locator('#submit-refusal'), 'blocking pre-review check');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  const dialog = page.getByRole('dialog', { name: 'Submit for medical review' });
  await expectText(dialog, 'The page has no disclaimer.');
  assertEqual(await dialog.locator('.badge:text-is("")').count(), 0, 'no empty badge');
  assert(await dialog.getByRole('button', { name: 'Submit for review' }).isDisabled(), 'Submit is disabled while a blocker is known');
  await screen(page, '44-submit-blocked');
  await dialog.getByRole('link', { name: 'Go to Disclaimer' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.id === 'f-disclaimer');
  await page.keyboard.type('For education only; ask a clinician.');
  // The checks follow what is typed, before it is saved.
  await expectText(page.locator('#h-checks'), 'as typed');
  const editorChecks = page.locator('section[aria-labelledby="h-checks"]');
  for (let i = 0; i < 50 && (await editorChecks.textContent()).includes('no disclaimer'); i++) await page.waitForTimeout(100);
  assert(!(await editorChecks.textContent()).includes('no disclaimer'), 'the disclaimer blocker goes as it is typed');
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  await expectText(page.locator('.save-state'), 'Saved · revision 2');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await dialog.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(page.locator('.page-facts'), 'In review');
}

export const tests = [
  { name: 'actions: an admin publishes and moderates from the UI; no copy of the policy', fn: adminPublishesAndModerates },
  { name: 'actions: an editor cancels a schedule after a confirmation; the reason error goes when typed', fn: cancelSchedule },
  { name: 'actions: the submit dialog names a blocker, disables Submit and links to its field', fn: submitBlocked },
];
