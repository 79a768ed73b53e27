// A reviewer sees what changed since the published revision (the server's diff), and sends
// the page back with a comment that the writer then sees.

import { api, assertEqual, expectText, loadFixture, login, rand, screen, signIn, PASSWORD } from './harness.mjs';

async function publishedThenEdited() {
  const sample = loadFixture('ketamine.json');
  const writer = await login('writer@example.com');
  const reviewer = await login('reviewer@example.com');
  const editor = await login('editor@example.com');
  let r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug: `review-e2e-${rand()}`, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: {} });
  assertEqual(r.status, 200, 'submit');
  r = await api('POST', `/api/v1/manage/pages/${id}/approve`, { token: reviewer, body: { revision: 1, password: PASSWORD } });
  assertEqual(r.status, 200, 'approve');
  r = await api('POST', `/api/v1/manage/pages/${id}/publish`, { token: editor, body: {} });
  assertEqual(r.status, 200, 'publish');
  const edited = structuredClone(sample.content);
  edited.sections[0].body = edited.sections[0].body.replace('primarily as a dissociative anesthetic', 'as a general anesthetic');
  edited.drug.brandNames = ['Ketalar'];
  r = await api('PUT', `/api/v1/manage/pages/${id}/content`, { token: writer, ifMatch: r.body.version, body: edited });
  assertEqual(r.status, 200, 'save revision 2');
  r = await api('POST', `/api/v1/manage/pages/${id}/submit`, { token: writer, body: {} });
  assertEqual(r.status, 200, 'submit revision 2');
  return { id, title: sample.content.title };
}

async function reviewDiffAndRequestChanges(t) {
  const { id } = await publishedThenEdited();
  const page = await t.newPage({ label: 'reviewer' });
  await signIn(page, 'reviewer@example.com');
  await page.goto(`/admin/pages/${id}/review`);
  // This reviewer signed revision 1: their review starts from there.
  await expectText(page.getByTestId('review-baseline'), 'Changes since your last decision (revision 1)');
  // As readers see it, the changed sentence marked in place.
  await expectText(page.locator('.reader ins.chg', { hasText: 'general' }), 'general');
  await page.getByLabel('Field by field').check();
  await page.locator('.diff-field').first().waitFor();
  await expectText(page.locator('.diff-view'), 'Brand names');
  await expectText(page.locator('.diff-field ins', { hasText: 'Ketalar' }), 'Ketalar');
  await expectText(page.locator('.diff-field ins', { hasText: 'general' }), 'general');
  await expectText(page.locator('.diff-field del', { hasText: 'dissociative' }), 'dissociative');
  await screen(page, '18-review-diff-since-live');

  await page.getByLabel('Comment for the writer').fill('Please keep “dissociative”: it is the accurate term.');
  await page.getByRole('button', { name: 'Request changes' }).click();
  await expectText(page.locator('.page-facts'), 'Changes requested');

  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.goto(`/admin/pages/${id}`);
  await expectText(writer.locator('.alert-warning'), 'Please keep “dissociative”');
  // The live revision stays beside the working copy.
  await writer.getByRole('link', { name: 'Live vs working copy' }).click();
  await expectText(writer.locator('.tab-panel'), 'Readers see revision 1');
  await expectText(writer.locator('.diff-field ins', { hasText: 'general' }), 'general');
}

export const tests = [{ name: 'reviewer sees the diff since the live revision and requests changes with a comment', fn: reviewDiffAndRequestChanges }];
