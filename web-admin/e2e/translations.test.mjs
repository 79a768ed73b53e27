// Issue 13, the admin: a translator opens a source page and makes its Spanish translation in
// one step, translates it with the source beside each field (side by side at 1280 px,
// stacked at 768 px), sees what changed in the source since and the rebase action, and
// submits; an administrator gives a reviewer Spanish; that reviewer finds it among the
// translations awaiting review in their languages and signs it; an Arabic translation's
// fields and previews are right to left. The server must run with the locales en,es,ar
// (scripts/e2e sets MONOGRAPH_LOCALES).

import { readFileSync } from 'node:fs';
import { Skip } from './admin.test.mjs';
import { api, assert, assertEqual, checkA11y, expectText, loadFixture, login, rand, screen, shot, signIn, PASSWORD } from './harness.mjs';

async function requireLocales() {
  const r = await api('GET', '/api/v1/locales');
  const tags = r.status === 200 ? (r.body?.locales ?? []).map((l) => l.tag) : [];
  if (!['en', 'es', 'ar'].every((t) => tags.includes(t))) {
    const why = r.status === 200 ? `the server's locales are ${tags.join(',') || 'none'}, not en,es,ar` : `GET /api/v1/locales answered ${r.status}`;
    if (process.env.E2E_STRICT === '1') throw new Error(why);
    throw new Skip(why);
  }
}

/** A reviewer who set their own password (so they may sign), without languages yet. */
async function newReviewer(adminToken, name) {
  const email = `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${rand()}@example.com`;
  const r = await api('POST', '/api/v1/manage/users', { token: adminToken, body: { email, name, roles: ['reviewer'], credentials: 'MD' } });
  assertEqual(r.status, 201, 'create the reviewer');
  const e = await api('POST', '/api/v1/auth/enrol', { body: { token: r.body.enrolment.token, password: PASSWORD } });
  assertEqual(e.status, 200, 'the reviewer sets their own password');
  return { id: r.body.id, email };
}

/** An editor screen, saved and checked once its content is shown: the editor asks the server
 * for newer saves every few seconds, so waiting for the network to fall idle only costs time. */
async function editorScreen(page, name) {
  await shot(page, name);
  await checkA11y(page, name);
}

/** The bounding boxes of a field's source text and of its control. */
async function pairBoxes(page, path, control) {
  const field = page.locator(`.field[data-path="${path}"]`);
  const source = await field.getByTestId('source-text').boundingBox();
  const input = await field.locator(control).first().boundingBox();
  assert(source && input, `the source text and the control of ${path} are shown`);
  return { source, input };
}

async function translateSignAndRtl(t) {
  await requireLocales();
  const sample = loadFixture('ketamine.json');
  const writerToken = await login('writer@example.com');
  const adminToken = await login('admin@example.com');
  const slug = `translate-e2e-${rand()}`;
  let r = await api('POST', '/api/v1/manage/pages', { token: writerToken, body: { slug, content: sample.content } });
  assertEqual(r.status, 201, 'create the source page');
  const sourceId = r.body.id;
  const sourceTitle = sample.content.title;

  // ---- The translator opens the source and makes the Spanish translation in one step.
  const writer = await t.newPage({ label: 'translator' });
  await signIn(writer, 'writer@example.com');
  await writer.goto(`/admin/pages/${sourceId}`);
  const languages = writer.getByRole('navigation', { name: 'Languages of this page' });
  await expectText(languages, 'English (en)');
  await languages.getByRole('button', { name: 'Add translation' }).click();
  const dialog = writer.getByRole('dialog', { name: 'Add a translation' });
  await dialog.getByLabel('Language').selectOption('es');
  assertEqual(await dialog.getByLabel('Slug of the translation').inputValue(), `${slug}-es`, 'the slug offered');
  await screen(writer, '70-translation-create');
  await dialog.getByRole('button', { name: 'Create translation' }).click();
  await writer.getByRole('heading', { name: 'Spanish (es) translation' }).waitFor();
  const translationId = decodeURIComponent(new URL(writer.url()).pathname.split('/')[3]);
  assert(translationId && translationId !== sourceId, 'the translation is a page of its own: ' + writer.url());

  // The source text is beside each field, read-only, side by side at desktop width; the
  // content started as the source's.
  await expectText(writer.locator('.field[data-path="title"]').getByTestId('source-text'), sourceTitle);
  assertEqual(await writer.locator('#f-title').inputValue(), sourceTitle, 'the title prefilled from the source');
  let boxes = await pairBoxes(writer, 'title', '#f-title');
  assert(boxes.source.x + boxes.source.width <= boxes.input.x && Math.abs(boxes.source.y - boxes.input.y) < 60, `side by side at 1280 px: ${JSON.stringify(boxes)}`);
  assertEqual(await writer.locator('#f-title').evaluate((el) => getComputedStyle(el).direction), 'ltr', 'Spanish is typed left to right');

  await writer.locator('#f-title').fill('Ketamina: usos médicos, mecanismo y seguridad');
  await writer.locator('#f-summary').fill('La ketamina es un anestésico disociativo con usos médicos aprobados.');
  await writer.getByRole('button', { name: 'Save', exact: true }).first().click();
  await expectText(writer.locator('.save-state'), 'Saved · revision 2');
  await expectText(languages, 'Spanish (es)');

  // The source moves on: the translator sees exactly what changed and may rebase (a new
  // revision that needs a new signature), but first submits what they have.
  const moved = structuredClone(sample.content);
  moved.summary = moved.summary + ' Updated dosing guidance.';
  r = await api('GET', `/api/v1/manage/pages/${sourceId}`, { token: writerToken });
  r = await api('PUT', `/api/v1/manage/pages/${sourceId}/content`, { token: writerToken, ifMatch: r.body.version, body: moved });
  assertEqual(r.status, 200, 'the source gets revision 2');
  await writer.reload();
  const panel = writer.locator('.translation-panel');
  await expectText(panel.getByTestId('source-diff'), 'Updated dosing guidance.');
  await panel.getByRole('button', { name: 'Rebase onto source revision 2' }).waitFor();
  await expectText(panel, 'needs a new medical signature');
  // The screen asks for the source once, not on every render.
  const sourceGets = [];
  const onRequest = (req) => new URL(req.url()).pathname === `/api/v1/manage/pages/${sourceId}` && sourceGets.push(req.url());
  writer.on('request', onRequest);
  await writer.waitForTimeout(1500);
  writer.off('request', onRequest);
  assert(sourceGets.length <= 1, `the source page was asked for ${sourceGets.length} times in 1.5 s`);
  await editorScreen(writer, '71-translation-editor');

  await writer.getByRole('button', { name: 'Submit for review' }).click();
  const submit = writer.getByRole('dialog', { name: 'Submit for medical review' });
  await submit.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(writer.locator('.page-facts'), 'In review');

  // ---- An administrator gives a reviewer Spanish on the Users screen.
  const reviewer = await newReviewer(adminToken, 'Lucia Revisora');
  const admin = await t.newPage({ label: 'admin' });
  await signIn(admin, 'admin@example.com');
  await admin.goto('/admin/users');
  await admin.getByRole('button', { name: 'Edit Lucia Revisora' }).first().waitFor();
  const row = admin.getByRole('row', { name: new RegExp(reviewer.email.replace(/[.]/g, '\\.')) });
  await row.getByRole('button', { name: 'Edit Lucia Revisora' }).click();
  const edit = admin.getByRole('dialog', { name: 'Edit Lucia Revisora' });
  await edit.getByLabel('Spanish (es)').check();
  await screen(admin, '72-user-languages');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await edit.waitFor({ state: 'detached' });
  await row.getByRole('cell', { name: 'es', exact: true }).waitFor();
  r = await api('GET', `/api/v1/manage/users/${reviewer.id}`, { token: adminToken });
  assertEqual(r.body.languages, ['es'], 'the reviewer’s languages');

  // ---- The Spanish-speaking reviewer finds it in their queue and signs it.
  const signer = await t.newPage({ label: 'spanish-reviewer' });
  await signIn(signer, reviewer.email);
  await signer.getByRole('navigation', { name: 'Page lists' }).getByRole('link', { name: 'Awaiting review in my languages' }).click();
  await signer.getByRole('link', { name: 'Ketamina: usos médicos, mecanismo y seguridad' }).click();
  await expectText(signer.getByTestId('translation-note'), 'English (en) revision 1');
  await signer.getByRole('button', { name: 'Approve…' }).click();
  const sign = signer.getByRole('dialog', { name: 'Electronic signature' });
  // The signature names the source revision the translation renders.
  await expectText(sign.getByTestId('sign-source'), 'English (en) revision 1');
  await sign.getByLabel('Your password').fill(PASSWORD);
  await sign.getByRole('button', { name: 'Sign and approve' }).click();
  await sign.waitFor({ state: 'detached' });
  await expectText(signer.locator('.page-facts'), 'Approved');
  r = await api('GET', `/api/v1/manage/pages/${translationId}`, { token: writerToken });
  assertEqual(r.body.state, 'approved', 'the translation is approved');
  assertEqual(r.body.translationOf?.id, sourceId, 'it renders the source page');

  // ---- An Arabic translation is typed and previewed right to left, stacked at 768 px.
  r = await api('POST', `/api/v1/manage/pages/${sourceId}/translations`, { token: writerToken, body: { locale: 'ar', slug: `${slug}-ar`, content: sample.content } });
  assertEqual(r.status, 201, 'create the Arabic translation');
  const arabicId = r.body.id;
  const tablet = await t.newPage({ label: 'translator-tablet', width: 768, height: 1024 });
  await signIn(tablet, 'writer@example.com');
  await tablet.goto(`/admin/pages/${arabicId}`);
  await tablet.getByRole('heading', { name: 'Arabic (ar) translation' }).waitFor();
  await tablet.locator('#f-title').fill('الكيتامين: الاستخدامات الطبية');
  for (const sel of ['#f-title', '#f-summary', '#f-sections-0-body']) {
    const dir = await tablet.locator(sel).evaluate((el) => [getComputedStyle(el).direction, el.closest('[dir]')?.getAttribute('dir')]);
    assertEqual(dir, ['rtl', 'rtl'], `${sel} is right to left`);
  }
  const preview = tablet.locator('.field[data-path="sections[0].body"] .preview');
  await preview.locator('.rendered').waitFor();
  assertEqual(await preview.evaluate((el) => getComputedStyle(el).direction), 'rtl', 'the Markdown preview is right to left');
  // The source beside it stays left to right, above the field at tablet width.
  await expectText(tablet.locator('.field[data-path="title"]').getByTestId('source-text'), sourceTitle);
  assertEqual(await tablet.locator('.field[data-path="title"] .translate-source-text').evaluate((el) => getComputedStyle(el).direction), 'ltr', 'the English source reads left to right');
  boxes = await pairBoxes(tablet, 'title', '#f-title');
  assert(boxes.source.y + boxes.source.height <= boxes.input.y, `stacked at 768 px: ${JSON.stringify(boxes)}`);
  const overflow = await tablet.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 0, `the translation screen scrolls sideways at 768 px (${overflow}px)`);
  await editorScreen(tablet, '73-translation-editor-tablet-rtl');
  // The whole-page preview follows the page's direction too.
  await tablet.getByRole('button', { name: 'Page preview' }).click();
  await tablet.locator('.preview-pane-body .reader').waitFor();
  assertEqual(await tablet.locator('.preview-pane-body').getAttribute('dir'), 'rtl', 'the page preview is right to left');

  // ---- XLIFF: the export downloads; a file with a unit missing is refused, naming the unit.
  const [download] = await Promise.all([tablet.waitForEvent('download'), tablet.getByRole('button', { name: 'Export XLIFF' }).click()]);
  assertEqual(download.suggestedFilename(), `${slug}-ar.ar.xlf`, 'the XLIFF file name');
  const xlf = readFileSync(await download.path(), 'utf8');
  assert(/<xliff[^>]*version="2\.1"/.test(xlf) && /trgLang="ar"/.test(xlf), 'an XLIFF 2.1 file into Arabic: ' + xlf.slice(0, 200));
  const unit = /<unit id="([^"]+)"[\s\S]*?<\/unit>/.exec(xlf);
  assert(unit, 'the file has units');
  await tablet.getByLabel('Translated XLIFF file').setInputFiles({ name: 'missing-unit.xlf', mimeType: 'application/xliff+xml', buffer: Buffer.from(xlf.replace(unit[0], '')) });
  await tablet.getByRole('button', { name: 'Import as a new revision' }).click();
  await expectText(tablet.locator('.xliff-import [role="alert"]'), unit[1]);
}

export const tests = [{ name: 'translations: create the Spanish translation beside its source, submit, a Spanish-speaking reviewer signs; Arabic is right to left', fn: translateSignAndRtl }];
