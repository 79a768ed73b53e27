// The safe path is the easy one: the signature dialog takes the password first, a save that
// voids a review or an approval asks first and says so afterwards, Enter in a field never
// saves the page, and "Publish now" names what goes live before it does.

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn, PASSWORD } from './harness.mjs';
import { fieldSelector as f } from './form.mjs';

/** A page created by the writer over the API and taken as far as `until`. */
async function pageIn(until, prefix) {
  const sample = loadFixture('ketamine.json');
  const writer = await login('writer@example.com');
  let r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug: `${prefix}-${rand()}`, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  if (until !== 'draft') {
    r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: {} });
    assertEqual(r.status, 200, 'submit');
  }
  if (until === 'approved') {
    r = await api('POST', `/api/v1/manage/pages/${id}/approve`, { token: await login('reviewer2@example.com'), body: { revision: 1, password: PASSWORD } });
    assertEqual(r.status, 200, 'approve');
  }
  return { id, title: sample.content.title, writer };
}

async function stored(id, token) {
  const r = await api('GET', `/api/v1/manage/pages/${id}`, { token });
  assertEqual(r.status, 200, 'GET page');
  return r.body;
}

async function signatureTakesPasswordFirst(t) {
  const { id, writer } = await pageIn('in_review', 'sign-focus-e2e');
  const page = await t.newPage({ label: 'reviewer' });
  await signIn(page, 'reviewer@example.com');
  await page.goto(`/admin/pages/${id}/review`);
  await page.getByRole('button', { name: 'Approve…' }).click();
  const sign = page.getByRole('dialog', { name: 'Electronic signature' });
  await sign.waitFor();
  // A reviewer who opens the dialog and types straight away types the password.
  await page.keyboard.type('not-the-password');
  assertEqual(await page.evaluate(() => document.activeElement?.id), 'sign-password', 'the focused field when the dialog opens');
  await page.keyboard.press('Enter');
  await expectText(sign.getByRole('alert'), 'password is not correct');
  // …and after a wrong one, typing again goes to the password too.
  await page.keyboard.type(PASSWORD);
  assertEqual(await page.evaluate(() => document.activeElement?.id), 'sign-password', 'the focused field after a wrong password');
  assertEqual(await sign.getByLabel('Comment (optional)').inputValue(), '', 'the comment after typing passwords');
  await sign.getByRole('button', { name: 'Sign and approve' }).click();
  await sign.waitFor({ state: 'detached' });
  const p = await stored(id, writer);
  assertEqual(p.state, 'approved', 'state after signing');
  assert(!p.approval?.comment, 'the signature record holds no comment: ' + JSON.stringify(p.approval?.comment));
}

async function saveInReviewAsksFirst(t) {
  // A writer's save on a page awaiting review.
  const inReview = await pageIn('in_review', 'save-review-e2e');
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${inReview.id}`);
  await page.locator(f('summary')).fill('A writer’s late change while the page is in review.');
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  let dialog = page.getByRole('dialog', { name: 'Save and return this page to draft?' });
  await dialog.waitFor();
  await expectText(dialog, 'awaiting medical review');
  await expectText(dialog, 'withdrawn');
  await screen(page, '26-save-voids-review');
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await dialog.waitFor({ state: 'detached' });
  let p = await stored(inReview.id, inReview.writer);
  assertEqual([p.state, p.revision], ['in_review', 1], 'state and revision after declining');
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  await dialog.getByRole('button', { name: 'Save and return to draft' }).click();
  await expectText(page.locator('.save-state'), 'Saved · revision 2');
  await expectText(page.locator('.editor .alert-warning'), 'returned to draft');
  await expectText(page.locator('.page-facts'), 'Draft');
  p = await stored(inReview.id, inReview.writer);
  assertEqual([p.state, p.revision], ['draft', 2], 'state and revision after saving');

  // A reviewer's typo fix on an approved page voids the signature: said before and after.
  const approved = await pageIn('approved', 'save-approved-e2e');
  const reviewer = await t.newPage({ label: 'reviewer' });
  await signIn(reviewer, 'reviewer@example.com');
  await reviewer.goto(`/admin/pages/${approved.id}`);
  await reviewer.locator(f('title')).fill(approved.title + ' (typo fixed)');
  await reviewer.getByRole('button', { name: 'Save', exact: true }).first().click();
  dialog = reviewer.getByRole('dialog', { name: 'Save and return this page to draft?' });
  await dialog.waitFor();
  await expectText(dialog, 'Ravi Reviewer');
  await expectText(dialog, 'approval');
  await dialog.getByRole('button', { name: 'Save and return to draft' }).click();
  await expectText(reviewer.locator('.save-state'), 'Saved · revision 2');
  await expectText(reviewer.locator('.editor .alert-warning'), 'approval');
  p = await stored(approved.id, approved.writer);
  assertEqual(p.state, 'draft', 'state after the reviewer’s save');
}

async function enterNeverSaves(t) {
  const { id, writer } = await pageIn('draft', 'enter-e2e');
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}`);
  await page.locator(f('title')).fill('Ketamine, half typed');
  await page.locator(f('title')).press('Enter');
  await page.locator(f('drug.genericName')).fill('ketamine hydrochloride (edited)');
  await page.locator(f('drug.genericName')).press('Enter');
  await page.locator(f('drug.drugClasses[0]')).press('Enter');
  await page.waitForTimeout(700);
  await expectText(page.locator('.save-state'), 'Unsaved changes');
  assertEqual((await stored(id, writer)).revision, 1, 'revision after pressing Enter in fields');
  // Saving is an explicit act: the Save button, or Ctrl+S.
  await page.locator(f('title')).press('Control+s');
  await expectText(page.locator('.save-state'), 'Saved · revision 2');
  assertEqual((await stored(id, writer)).content.title, 'Ketamine, half typed', 'saved title');
}

async function publishNowConfirms(t) {
  const { id, title, writer } = await pageIn('approved', 'publish-confirm-e2e');
  const page = await t.newPage({ label: 'editor' });
  await signIn(page, 'editor@example.com');
  await page.goto(`/admin/pages/${id}/publish`);
  await page.getByRole('button', { name: 'Publish now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish this page now?' });
  await dialog.waitFor();
  await expectText(dialog, title);
  await expectText(dialog, 'revision 1');
  await expectText(dialog, 'Ravi Reviewer, PharmD');
  await screen(page, '27-publish-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assertEqual((await stored(id, writer)).state, 'approved', 'state after cancelling');
  await page.getByRole('button', { name: 'Publish now' }).click();
  await dialog.getByRole('button', { name: 'Publish revision 1' }).click();
  await expectText(page.locator('.page-facts'), 'Published');
}

export const tests = [
  { name: 'safety: the signature dialog takes the password first, never into the comment', fn: signatureTakesPasswordFirst },
  { name: 'safety: saving a page in review or approved asks first and says it returned to draft', fn: saveInReviewAsksFirst },
  { name: 'safety: Enter in a field never saves the page; Ctrl+S does', fn: enterNeverSaves },
  { name: 'safety: publish now asks, naming the page, revision and reviewer', fn: publishNowConfirms },
];
