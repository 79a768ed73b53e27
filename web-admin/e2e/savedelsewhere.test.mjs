// Issue 15, point 7: a writer learns the moment a colleague saves the page they are editing,
// before their own save; the merge shows whose words are whose, and nothing chosen for them
// drops the colleague's change.

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';
import { fieldSelector as f } from './form.mjs';

async function warnedBeforeSaving(t) {
  const sample = loadFixture('ketamine.json');
  const token = await login('writer@example.com');
  const created = await api('POST', '/api/v1/manage/pages', { token, body: { slug: `watch-e2e-${rand()}`, content: sample.content } });
  assertEqual(created.status, 201, 'create');
  const id = created.body.id;

  const walter = await t.newPage({ label: 'writer2' });
  await signIn(walter, 'writer2@example.com');
  await walter.goto(`/admin/pages/${id}`);
  const newSummary = 'Walter’s summary: how ketamine is used in hospitals.';
  await walter.locator(f('summary')).fill(newSummary);

  // Wendy saves a new title meanwhile (as any client would).
  const wendysTitle = 'Ketamine: anaesthesia, pain and depression';
  const r = await api('PUT', `/api/v1/manage/pages/${id}/content`, { token, ifMatch: created.body.version, body: { ...sample.content, title: wendysTitle } });
  assertEqual(r.status, 200, 'Wendy saves');

  // Walter is told before he saves.
  const alert = walter.locator('.saved-elsewhere');
  await expectText(alert, 'Wendy Writer saved revision 2', 10_000);
  await screen(walter, '52-saved-elsewhere');
  await alert.getByRole('button', { name: 'Merge their changes now' }).click();
  const dialog = walter.getByRole('dialog', { name: 'Someone else saved this page first' });
  await dialog.waitFor();
  // Wendy's new words are hers, marked as added by her: not struck through as if deleted.
  const title = dialog.locator('[data-path="title"]');
  await expectText(title.locator('.by-them ins'), 'anaesthesia');
  assertEqual(await title.locator('.by-them del', { hasText: 'anaesthesia' }).count(), 0, 'her words are not shown as removed');
  await expectText(dialog.locator('[data-path="summary"] .by-you ins'), 'hospitals');
  // What is chosen for Walter keeps both changes.
  assert(await title.getByLabel('Take their version').isChecked(), 'Wendy’s title is kept');
  assert(await dialog.locator('[data-path="summary"]').getByLabel('Keep my version').isChecked(), 'Walter’s summary is kept');
  await screen(walter, '53-merge-colours');
  await dialog.getByRole('button', { name: 'Save merged version' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expectText(walter.locator('.save-state'), 'Saved · revision 3');
  const after = await api('GET', `/api/v1/manage/pages/${id}`, { token });
  assertEqual([after.body.content.title, after.body.content.summary], [wendysTitle, newSummary], 'both changes kept');
}

export const tests = [{ name: 'two writers: the second sees “someone saved” before saving; the merge shows whose words are whose', fn: warnedBeforeSaving }];
