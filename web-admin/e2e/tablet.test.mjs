// Every main screen at tablet width (768×1024): saved as a screenshot, checked with axe, and
// never scrolling sideways.

import { api, assertEqual, loadFixture, login, rand, screen, signIn } from './harness.mjs';

async function mainScreensAtTabletWidth(t) {
  const sample = loadFixture('ketamine.json');
  const r = await api('POST', '/api/v1/manage/pages', { token: await login('writer@example.com'), body: { slug: `tablet-e2e-${rand()}`, content: sample.content } });
  assertEqual(r.status, 201, 'create');
  const id = r.body.id;
  // Long names and addresses, as real ones are, must not widen the screens.
  const long = `dr-alexandrina-konstantinopoulou-${rand()}@medical-reviewers.example.com`;
  const u = await api('POST', '/api/v1/manage/users', { token: await login('admin@example.com'), body: { email: long, name: 'Dr Alexandrina Konstantinopoulou-Vanderbilt', roles: ['writer'], credentials: 'MD, PhD, FRCP' } });
  assertEqual(u.status, 201, 'a user with a long name');
  const page = await t.newPage({ label: 'admin-tablet', width: 768, height: 1024 });
  await signIn(page, 'admin@example.com');
  const screens = [
    ['/admin/pages', '60-tablet-pages', 'Pages'],
    [`/admin/pages/${id}`, '61-tablet-editor', 'Sections'],
    [`/admin/pages/${id}/review`, '62-tablet-review', 'Medical review'],
    [`/admin/pages/${id}/publish`, '63-tablet-publish', 'Publishing'],
    [`/admin/pages/${id}/history`, '64-tablet-history', 'History'],
    [`/admin/pages/${id}/audit`, '65-tablet-audit', 'Audit trail'],
    ['/admin/users', '66-tablet-users', 'Users and roles'],
    ['/admin/webhooks', '67-tablet-webhooks', 'Webhooks'],
    ['/admin/reader-reviews', '68-tablet-reader-reviews', 'Reader reviews'],
    ['/admin/account/password', '69-tablet-change-password', 'Change password'],
  ];
  for (const [path, name, heading] of screens) {
    await page.goto(path);
    await page.getByRole('heading', { name: heading }).first().waitFor();
    await screen(page, name);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) {
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && getComputedStyle(el).position === 'absolute')
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      );
      throw new Error(`${path} scrolls sideways at 768px (${overflow}px): ${wide.join(', ')}`);
    }
  }
}

export const tests = [{ name: 'tablet: every main screen at 768×1024, axe clean, no sideways scrolling', fn: mainScreensAtTabletWidth }];
