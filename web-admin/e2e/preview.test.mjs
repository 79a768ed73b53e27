// Issue 15, point 3: the whole page beside the editor, following the section being edited,
// and a preview link that shows the page as a website would to someone without a login.

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';

async function previewPane(t) {
  const sample = loadFixture('ketamine.json');
  const writer = await login('writer@example.com');
  const r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug: `preview-e2e-${rand()}`, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;

  const page = await t.newPage({ label: 'writer' });
  let renders = 0;
  page.on('request', (req) => {
    if (req.url().endsWith('/api/v1/manage/render')) renders++;
  });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}`);
  const pane = page.getByRole('complementary', { name: 'As readers will see it' });
  await expectText(pane, 'Legal & regulatory notes');
  await page.waitForLoadState('networkidle');
  console.log(`    opening the page sent ${renders} render request(s) (the issue measured 19)`);
  assert(renders <= 2, `opening a page renders from its preview, not field by field: ${renders} render requests`);

  // The pane follows the section being edited, and shows what is typed.
  const benefits = sample.content.sections.findIndex((s) => s.key === 'benefits');
  await page.locator(`#f-sections-${benefits}-body`).click();
  await expectText(page.locator('.preview-pane .reader-active'), 'Potential benefits');
  await page.locator(`#f-sections-${benefits}-body`).press('End');
  await page.keyboard.type(' Seen within hours.');
  await expectText(page.locator('.preview-pane .reader-active'), 'Seen within hours.');
  await screen(page, '47-editor-preview-pane');

  // A preview link: the saved revision, as a website shows it, without a login.
  await pane.getByRole('button', { name: 'Make a preview link' }).click();
  const link = pane.getByTestId('preview-link');
  const href = await link.getAttribute('href');
  assert(href && href.startsWith(`/admin/preview/${id}#token=`), `preview link: ${href}`);
  const guest = await t.newPage({ label: 'guest' });
  await guest.goto(href);
  await expectText(guest.locator('.preview-banner'), 'Preview of revision 1');
  await guest.getByRole('heading', { level: 1, name: sample.content.title }).waitFor();
  await expectText(guest.locator('.reader'), 'Rapid onset of anesthesia');
  await screen(guest, '48-preview-link');
  await guest.goto(href.replace(/token=.*/, 'token=nonsense'));
  await expectText(guest.locator('.alert-error'), 'expired or is not valid');

  // At tablet width the form has the whole width; the preview is one click away.
  const tablet = await t.newPage({ label: 'writer-tablet', width: 768, height: 1024 });
  await signIn(tablet, 'writer@example.com');
  await tablet.goto(`/admin/pages/${id}`);
  const toggle = tablet.getByRole('button', { name: 'Page preview' });
  assertEqual(await toggle.getAttribute('aria-pressed'), 'false', 'no pane at first on a tablet');
  await toggle.click();
  await expectText(tablet.getByRole('complementary', { name: 'As readers will see it' }), 'Potential benefits');
  await screen(tablet, '49-editor-preview-tablet');
}

export const tests = [{ name: 'preview: the whole page beside the editor follows the section; a preview link works without a login', fn: previewPane }];
