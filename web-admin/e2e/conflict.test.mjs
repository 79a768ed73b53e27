// Issue 6, "Must show" 2: two writers edit the same page; the second save shows the conflict
// with the other's change, the writer merges, and the saved page has both edits.

import { api, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';
import { fieldSelector as f } from './form.mjs';

async function conflict(t) {
  const sample = loadFixture('ketamine.json');
  const token = await login('writer@example.com');
  const slug = `conflict-e2e-${rand()}`;
  const created = await api('POST', '/api/v1/manage/pages', { token, body: { slug, content: sample.content } });
  assertEqual(created.status, 201, 'create page over the API');
  const id = created.body.id;

  const wendy = await t.newPage({ label: 'writer' });
  const walter = await t.newPage({ label: 'writer2' });
  await signIn(wendy, 'writer@example.com');
  await signIn(walter, 'writer2@example.com');
  await wendy.goto(`/admin/pages/${id}`);
  await walter.goto(`/admin/pages/${id}`);
  await wendy.locator(f('title')).waitFor();
  await walter.locator(f('title')).waitFor();

  const newTitle = 'Ketamine – clinical uses and safety (edited by Wendy)';
  const newSummary = 'Walter’s new summary: the clinical uses of ketamine, for patients and clinicians.';
  await wendy.locator(f('title')).fill(newTitle);
  await walter.locator(f('summary')).fill(newSummary);

  await wendy.getByRole('button', { name: 'Save', exact: true }).first().click();
  await expectText(wendy.locator('.save-state'), 'Saved · revision 2');

  await walter.getByRole('button', { name: 'Save', exact: true }).first().click();
  const dialog = walter.getByRole('dialog', { name: 'Someone else saved this page first' });
  await dialog.waitFor();
  await expectText(dialog, 'Wendy Writer');
  // Their change is shown, with the field it touched.
  await expectText(dialog.locator('[data-path="title"]'), 'edited by Wendy');
  await expectText(dialog.locator('[data-path="title"]'), 'Changed by them');
  await expectText(dialog.locator('[data-path="summary"]'), 'Changed by you');
  await screen(walter, '10-conflict-merge');

  // Nothing was overwritten: the server still has Wendy's save only.
  const between = await api('GET', `/api/v1/manage/pages/${id}`, { token });
  assertEqual(between.body.content.summary, sample.content.summary, 'summary before the merge');

  await dialog.getByRole('button', { name: 'Save merged version' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expectText(walter.locator('.save-state'), 'Saved · revision 3');

  const after = await api('GET', `/api/v1/manage/pages/${id}`, { token });
  assertEqual(after.body.content.title, newTitle, 'merged title (Wendy’s edit)');
  assertEqual(after.body.content.summary, newSummary, 'merged summary (Walter’s edit)');
  assertEqual(after.body.revision, 3, 'revision after the merge');
}

async function conflictBothChanged(t) {
  const sample = loadFixture('ketamine.json');
  const token = await login('writer@example.com');
  const created = await api('POST', '/api/v1/manage/pages', { token, body: { slug: `conflict2-e2e-${rand()}`, content: sample.content } });
  const id = created.body.id;
  const page = await t.newPage({ label: 'writer2' });
  await signIn(page, 'writer2@example.com');
  await page.goto(`/admin/pages/${id}`);
  await page.locator(f('title')).fill('Walter’s title');
  // Meanwhile someone saves the same field over the API.
  const r = await api('PUT', `/api/v1/manage/pages/${id}/content`, { token, ifMatch: created.body.version, body: { ...sample.content, title: 'Wendy’s title' } });
  assertEqual(r.status, 200, 'save over the API');
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Someone else saved this page first' });
  await dialog.waitFor();
  await expectText(dialog.locator('[data-path="title"]'), 'Changed by both of you');
  // The writer must choose: saving is disabled until then.
  const save = dialog.getByRole('button', { name: 'Save merged version' });
  assertEqual(await save.isDisabled(), true, 'save disabled while a conflict is undecided');
  await dialog.getByLabel('Keep my version').check();
  await save.click();
  await dialog.waitFor({ state: 'detached' });
  await expectText(page.locator('.save-state'), 'Saved · revision 3');
  const after = await api('GET', `/api/v1/manage/pages/${id}`, { token });
  assertEqual(after.body.content.title, 'Walter’s title', 'title chosen by the writer');
}

export const tests = [
  { name: 'two writers: the second save shows the conflict and the merge keeps both edits', fn: conflict },
  { name: 'a field both writers changed must be decided, never taken silently', fn: conflictBothChanged },
];
