// The remaining main screens: sign in, admin screens, the tablet layout, session refresh.

import { expectText, screen, signIn } from './harness.mjs';

async function signInScreen(t) {
  const page = await t.newPage({ label: 'anonymous' });
  await page.goto('/admin/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await screen(page, '00-sign-in');
  await page.locator('#signin-email').fill('writer@example.com');
  await page.locator('#signin-password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByRole('alert'), 'not correct');
}

async function adminScreens(t) {
  const page = await t.newPage({ label: 'admin' });
  await signIn(page, 'admin@example.com');
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
  await expectText(page.locator('table'), 'Rosa Reviewer');
  await screen(page, '11-users');
  await page.getByRole('button', { name: 'Edit Rosa Reviewer' }).click();
  await page.getByRole('dialog', { name: 'Edit Rosa Reviewer' }).waitFor();
  await screen(page, '12-user-edit');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  await screen(page, '13-webhooks');

  const editor = await t.newPage({ label: 'editor' });
  await signIn(editor, 'editor@example.com');
  await editor.getByRole('link', { name: 'Reader reviews' }).click();
  await editor.getByRole('heading', { name: 'Reader reviews' }).waitFor();
  await screen(editor, '14-reader-reviews');
}

async function tablet(t) {
  const page = await t.newPage({ label: 'tablet', width: 768, height: 1024 });
  await signIn(page, 'writer@example.com');
  await page.getByRole('link', { name: /Ketamine/ }).first().click();
  await page.locator('#f-title').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`the editor scrolls sideways at 768px (${overflow}px)`);
  await screen(page, '15-editor-tablet');
}

async function sessionRefresh(t) {
  // An expired access token is refreshed on the 401 and the request retried, keeping the form.
  const page = await t.newPage({ label: 'refresh' });
  await signIn(page, 'writer@example.com');
  await page.getByRole('link', { name: /Ketamine/ }).first().click();
  await page.locator('#f-title').waitFor();
  await page.locator('#f-summary').fill('Typed before the token broke.');
  await page.evaluate(() => {
    const k = 'monograph.session';
    const s = JSON.parse(sessionStorage.getItem(k));
    s.accessToken = 'broken.' + s.accessToken; // refused by the server: 401
    sessionStorage.setItem(k, JSON.stringify(s));
  });
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByRole('table').first().waitFor();
  await page.getByRole('link', { name: 'Edit' }).click();
  const v = await page.locator('#f-summary').inputValue();
  if (v !== 'Typed before the token broke.') throw new Error('the form lost its state: ' + v);
  // When the refresh token is gone too, the sign-in dialog appears over the screen.
  await page.evaluate(() => {
    const k = 'monograph.session';
    const s = JSON.parse(sessionStorage.getItem(k));
    s.accessToken = 'broken';
    s.refreshToken = 'spent';
    sessionStorage.setItem(k, JSON.stringify(s));
  });
  await page.getByRole('link', { name: 'Audit trail' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
  await dialog.waitFor();
  await screen(page, '16-session-ended');
  await dialog.getByLabel('Password').fill('monograph-demo');
  await dialog.getByRole('button', { name: 'Sign in and continue' }).click();
  await page.getByRole('heading', { name: 'Audit trail', level: 2 }).waitFor();
  await page.getByRole('link', { name: 'Edit' }).click();
  const v2 = await page.locator('#f-summary').inputValue();
  if (v2 !== 'Typed before the token broke.') throw new Error('the form lost its state after signing in again: ' + v2);

  // Leaving with unsaved changes asks first; staying keeps them.
  const pageUrl = page.url();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pages' }).click();
  const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
  await leave.waitFor();
  await screen(page, '17-leave-warning');
  await leave.getByRole('button', { name: 'Stay and keep editing' }).click();
  if (page.url() !== pageUrl) throw new Error('navigated away although the writer chose to stay');
  if ((await page.locator('#f-summary').inputValue()) !== 'Typed before the token broke.') throw new Error('draft lost after staying');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pages' }).click();
  await page.getByRole('dialog', { name: 'Leave without saving?' }).getByRole('button', { name: 'Leave this page' }).click();
  await page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
  // Coming back offers the draft kept on this device.
  await page.goBack();
  await expectText(page.locator('.alert-warning'), 'were restored from this device');
  if ((await page.locator('#f-summary').inputValue()) !== 'Typed before the token broke.') throw new Error('draft not restored');
  await page.getByRole('button', { name: 'Discard changes' }).click();
  await page.getByRole('dialog', { name: 'Discard your changes?' }).getByRole('button', { name: 'Discard changes' }).click();
  await expectText(page.locator('.save-state'), 'Saved');
}

export const tests = [
  { name: 'sign-in screen refuses a wrong password', fn: signInScreen },
  { name: 'admin screens: users, webhooks, reader reviews', fn: adminScreens },
  { name: 'the editor works at tablet width', fn: tablet },
  { name: 'session refresh keeps the form; a lost session asks to sign in over the screen', fn: sessionRefresh },
];
