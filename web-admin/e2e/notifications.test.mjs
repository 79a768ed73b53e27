// Issue 15, points 4 and 7: work passes between people. A reviewer requests changes; the
// writer sees the unread count on the bell, opens the notification, and finds the page in
// "Changes requested of me"; a second writer on the same page sees who else is editing.

import { api, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';

async function newSubmittedPage(title) {
  const sample = loadFixture('ketamine.json');
  const token = await login('writer@example.com');
  const created = await api('POST', '/api/v1/manage/pages', { token, body: { slug: `notify-e2e-${rand()}`, content: { ...sample.content, title } } });
  assertEqual(created.status, 201, 'create');
  const submitted = await api('POST', `/api/v1/manage/pages/${created.body.id}/submit`, { token, body: { note: 'ready' } });
  assertEqual(submitted.status, 200, 'submit');
  return submitted.body;
}

async function until(what, cond, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function unreadOf(page) {
  const label = (await page.getByTestId('bell').getAttribute('aria-label')) ?? '';
  const m = /(\d+) unread/.exec(label);
  return m ? Number(m[1]) : 0;
}

async function changesRequestedReachTheWriter(t) {
  const title = `Ketamine notified ${rand()}`;
  const p = await newSubmittedPage(title);

  // The writer is signed in before: the bell counts what is already there.
  const writer = await t.newPage({ label: 'writer' });
  await signIn(writer, 'writer@example.com');
  await writer.goto('/admin/my-work');
  await writer.getByRole('heading', { name: /Changes requested of me/ }).waitFor();
  const before = await unreadOf(writer);

  const reviewer = await t.newPage({ label: 'reviewer' });
  await signIn(reviewer, 'reviewer@example.com');
  await reviewer.goto(`/admin/pages/${p.id}/review`);
  await reviewer.getByLabel('Comment for the writer').fill('Please cite the dose study.');
  await reviewer.getByRole('button', { name: 'Request changes' }).click();
  // Said only because the server made the notification.
  await expectText(reviewer.locator('.toast'), 'The writer will see your comment in their notifications', 10_000);

  // The bell counts it (within its 20 s poll, or at once on focus).
  const deadline = Date.now() + 30_000;
  while ((await unreadOf(writer)) <= before) {
    if (Date.now() > deadline) throw new Error('the bell never counted the new notification');
    await writer.evaluate(() => window.dispatchEvent(new Event('focus')));
    await writer.waitForTimeout(500);
  }
  await writer.getByTestId('bell').click();
  await writer.getByRole('heading', { name: 'Notifications' }).waitFor();
  const item = writer.locator('.notification', { hasText: title });
  await expectText(item, 'Rosa Reviewer requested changes');
  await expectText(item.locator('.notification-comment'), 'Please cite the dose study.');
  await screen(writer, '90-notifications');
  // Keyboard: the notification's link is reachable and opens the page.
  await item.getByRole('link', { name: /requested changes/ }).focus();
  await writer.keyboard.press('Enter');
  await writer.waitForURL(new RegExp(`/admin/pages/${p.id}`));
  await expectText(writer.locator('.alert-warning'), 'Please cite the dose study.');
  await until('opening the notification marks it read', async () => (await unreadOf(writer)) === before);

  await writer.getByRole('link', { name: 'My work' }).click();
  const queue = writer.locator('section.queue', { has: writer.getByRole('heading', { name: /Changes requested of me/ }) });
  await expectText(queue, title);
  await screen(writer, '91-my-work');

  const tablet = await t.newPage({ label: 'reviewer-tablet', width: 768, height: 1024 });
  await signIn(tablet, 'reviewer@example.com');
  await tablet.goto('/admin/notifications?show=all');
  await tablet.locator('.notification').first().waitFor();
  await screen(tablet, '92-notifications-tablet');
  await tablet.goto('/admin/my-work');
  await tablet.getByRole('heading', { name: /Awaiting my review/ }).waitFor();
  await screen(tablet, '93-my-work-tablet');
}

async function presenceOnThePage(t) {
  const p = await newSubmittedPage(`Ketamine presence ${rand()}`);
  const wendy = await t.newPage({ label: 'writer' });
  await signIn(wendy, 'writer@example.com');
  await wendy.goto(`/admin/pages/${p.id}`);
  await wendy.locator('.presence').waitFor({ state: 'attached' });

  const walter = await t.newPage({ label: 'writer2' });
  await signIn(walter, 'writer2@example.com');
  await walter.goto(`/admin/pages/${p.id}`);
  await expectText(walter.locator('.presence'), 'Wendy Writer is also editing this page', 10_000);
  await screen(walter, '94-presence');
  // Wendy has the page open in a second tab too; closing the first keeps her present (each
  // tab beats with its own id), closing the second removes her.
  const wendy2 = await t.newPage({ label: 'writer-second-tab' });
  await signIn(wendy2, 'writer@example.com');
  await wendy2.goto(`/admin/pages/${p.id}`);
  await wendy2.locator('.presence').waitFor({ state: 'attached' });
  const token = await login('writer2@example.com');
  const wendyThere = async () => {
    const r = await api('GET', `/api/v1/manage/pages/${p.id}/presence`, { token });
    assertEqual(r.status, 200, 'presence');
    return r.body.data.some((x) => x.user.name === 'Wendy Writer');
  };
  await wendy.goto('/admin/my-work');
  await wendy.waitForTimeout(1000); // the first tab's goodbye has landed
  if (!(await wendyThere())) throw new Error('closing one of two tabs hid Wendy, who still has the page open');
  await wendy2.goto('/admin/my-work');
  await until('Wendy leaves the page', async () => !(await wendyThere()));
}

export const tests = [
  { name: 'notifications: changes requested reach the writer’s bell, list and queue', fn: changesRequestedReachTheWriter },
  { name: 'presence: a second writer sees who else is editing the page', fn: presenceOnThePage },
];
