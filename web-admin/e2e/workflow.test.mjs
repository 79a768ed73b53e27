// Issue 6, "Must show" 1: a writer creates the ketamine page from the form, saves, submits; a
// reviewer sees the diff, is refused with a wrong password, signs with the right one; an
// editor publishes; the public API then names the reviewer.

import { api, assert, assertEqual, expectText, loadFixture, rand, screen, signIn, PASSWORD } from './harness.mjs';
import { fieldSelector as f, fillContent } from './form.mjs';

async function workflow(t) {
  const sample = loadFixture('ketamine.json');
  const content = structuredClone(sample.content);
  // One reference, so the pre-review checks have less to say.
  content.references = [{ title: 'Ketamine (StatPearls)', url: 'https://www.ncbi.nlm.nih.gov/books/NBK470357/', publisher: 'StatPearls Publishing', year: 2023 }];
  const slug = `ketamine-e2e-${rand()}`;

  // ---- Writer: create from the form, save, submit.
  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
  await screen(writer, '01-pages-list');

  await writer.getByRole('link', { name: 'New page' }).click();
  await writer.getByRole('heading', { name: 'New page', level: 1 }).waitFor();

  // A server-side field error is shown at its field.
  await writer.locator(f('slug')).fill('not a slug');
  await writer.locator(f('title')).fill(content.title);
  await writer.locator(f('drug.name')).fill(content.drug.name);
  await writer.getByRole('button', { name: 'Create page' }).first().click();
  await writer.locator('.error-summary').waitFor();
  await writer.locator(`${f('slug')}[aria-invalid="true"]`).waitFor();
  await writer.locator(`${f('slug')}-error`).waitFor();
  await screen(writer, '02-editor-field-error');

  // Start over in the form with the whole page.
  await writer.locator(f('slug')).fill(slug);
  // Editing the field clears its error.
  await writer.locator(`${f('slug')}-error`).waitFor({ state: 'detached' });
  await writer.locator(f('title')).fill('');
  await writer.locator(f('drug.name')).fill('');
  await fillContent(writer, content);

  // Reorder from the keyboard: section 2 up, then back down.
  const title0 = () => writer.locator(f('sections[0].title')).inputValue();
  await writer.getByRole('button', { name: `Move section 2 (${content.sections[1].title}) up` }).focus();
  await writer.keyboard.press('Enter');
  assertEqual(await title0(), content.sections[1].title, 'section 1 after moving section 2 up');
  // Focus followed the moved item: it is now section 1, whose "down" button we press.
  await writer.getByRole('button', { name: `Move section 1 (${content.sections[1].title}) down` }).focus();
  await writer.keyboard.press('Enter');
  assertEqual(await title0(), content.sections[0].title, 'section 1 after moving back');

  // The live preview comes from the server's renderer: the whole page beside the form (each
  // field's own preview is one click away).
  await expectText(writer.locator('.preview-pane .reader'), 'dissociative anesthetic');
  await screen(writer, '03-editor-new-page');

  await writer.getByRole('button', { name: 'Create page' }).first().click();
  await writer.waitForURL(/\/admin\/pages\/[^/]+$/);
  await expectText(writer.locator('.save-state'), 'Saved · revision 1');
  const pageId = writer.url().split('/').pop();

  // What the server stored is the page typed into the form.
  const writerToken = await (async () => {
    const r = await api('POST', '/api/v1/auth/login', { body: { email: 'writer@example.com', password: PASSWORD } });
    return r.body.accessToken;
  })();
  const stored = await api('GET', `/api/v1/manage/pages/${pageId}`, { token: writerToken });
  assertEqual(stored.status, 200, 'GET page');
  assertEqual(stored.body.content.title, content.title, 'stored title');
  assertEqual(
    stored.body.content.sections.map((s) => s.key),
    content.sections.map((s) => s.key),
    'stored section keys',
  );
  assertEqual(stored.body.content.clinicalUses.map((u) => u.status), content.clinicalUses.map((u) => u.status), 'stored clinical use statuses');
  assertEqual(stored.body.content.sideEffects, content.sideEffects, 'stored side effects');
  assertEqual(stored.body.content.references[0].year, 2023, 'stored reference year');

  await writer.getByRole('button', { name: 'Submit for review' }).click();
  const submitDialog = writer.getByRole('dialog', { name: 'Submit for medical review' });
  await submitDialog.waitFor();
  await submitDialog.getByLabel('Note for the reviewer (optional)').fill('Ready for review: new ketamine page.');
  await submitDialog.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(writer.locator('.page-facts'), 'In review');

  // ---- Reviewer: sees the diff, wrong password refused, signs.
  const reviewer = await t.newPage({ label: 'reviewer' });
  await signIn(reviewer, 'reviewer@example.com');
  await reviewer.getByRole('navigation', { name: 'Page lists' }).getByRole('link', { name: 'Awaiting my review' }).click();
  await reviewer.getByRole('link', { name: content.title }).first().click();
  await reviewer.getByRole('heading', { name: 'Medical review', level: 2 }).waitFor();
  await expectText(reviewer.getByTestId('writer-note'), 'Ready for review: new ketamine page.');
  await expectText(reviewer.locator('.reader'), 'What is ketamine?');
  await reviewer.getByLabel('Field by field').check();
  await reviewer.locator('.diff-field').first().waitFor();
  await expectText(reviewer.locator('.diff-view'), 'What is ketamine?');
  await expectText(reviewer.locator('.diff-view'), 'NMDA receptor antagonist');
  assert((await reviewer.locator('.diff-field ins').count()) > 0, 'the diff highlights inserted text');
  await screen(reviewer, '04-review');

  await reviewer.getByRole('button', { name: 'Approve…' }).click();
  const sign = reviewer.getByRole('dialog', { name: 'Electronic signature' });
  await sign.waitFor();
  await expectText(sign, 'medically reviewed and approved');
  await expectText(sign.getByTestId('signer'), 'Rosa Reviewer, MD');
  await expectText(sign.getByTestId('sign-revision'), '1');
  await expectText(sign, stored.body.contentHash);
  await screen(reviewer, '05-signature-dialog');

  await sign.getByLabel('Your password').fill('not-the-password');
  await sign.getByRole('button', { name: 'Sign and approve' }).click();
  await expectText(sign.getByRole('alert'), 'password is not correct');
  const afterWrong = await api('GET', `/api/v1/manage/pages/${pageId}`, { token: writerToken });
  assertEqual(afterWrong.body.state, 'in_review', 'state after a wrong password');

  await sign.getByLabel('Your password').fill(PASSWORD);
  await sign.getByRole('button', { name: 'Sign and approve' }).click();
  await sign.waitFor({ state: 'detached' });
  await expectText(reviewer.locator('.page-facts'), 'Approved');

  // ---- Editor: publishes.
  const editor = await t.newPage({ label: 'editor' });
  await signIn(editor, 'editor@example.com');
  await editor.goto(`/admin/pages/${pageId}/publish`);
  await editor.getByRole('heading', { name: 'Publishing', level: 2 }).waitFor();
  await expectText(editor.locator('.cards'), 'Rosa Reviewer, MD');
  await screen(editor, '06-publish');
  await editor.getByRole('button', { name: 'Publish now' }).click();
  await editor.getByRole('dialog', { name: 'Publish this page now?' }).getByRole('button', { name: 'Publish revision 1' }).click();
  await expectText(editor.locator('.page-facts'), 'Published');

  // The other screens of the page, checked once there is a history.
  await editor.getByRole('link', { name: 'History' }).click();
  await editor.getByRole('table').first().waitFor();
  await screen(editor, '07-history');
  await editor.getByRole('link', { name: 'Audit trail' }).click();
  await editor.getByRole('heading', { name: 'Audit trail', level: 2 }).waitFor();
  await editor.getByRole('table').first().waitFor();
  await screen(editor, '08-audit');
  await editor.getByRole('link', { name: 'Live vs working copy' }).click();
  await expectText(editor.locator('.tab-panel'), 'Readers see revision');
  await screen(editor, '09-live');

  // ---- The public API names the reviewer.
  const pub = await api('GET', `/api/v1/pages/${slug}`);
  assertEqual(pub.status, 200, `GET /api/v1/pages/${slug}`);
  assertEqual(pub.body.medicalReview?.reviewer?.name, 'Rosa Reviewer', 'medicalReview.reviewer.name');
  assertEqual(pub.body.medicalReview?.reviewer?.credentials, 'MD', 'medicalReview.reviewer.credentials');
  assertEqual(pub.body.title, content.title, 'published title');
}

export const tests = [{ name: 'writer creates, reviewer signs, editor publishes, public API names the reviewer', fn: workflow }];
