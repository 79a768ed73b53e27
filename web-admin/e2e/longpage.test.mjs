// Issue 15, point 5: a long page (12 sections) is easy to work on — the outline jumps and
// reorders with the keyboard, Ctrl+S saves — and typing in it stays fast. What keeps it fast
// is checked, not timed: a keystroke in one section changes nothing in the DOM of any other
// section (they are not rendered again), so its cost does not grow with the page. The script
// time per keystroke (Chrome's own ScriptDuration, over 60 keystrokes) is measured and
// printed as a figure; a time limit would fail on a slower or busier machine (a p95 under
// 16 ms measured 13.7 ms on the development machine), so none is asserted.

import { api, assert, assertEqual, expectText, loadFixture, login, rand, screen, signIn } from './harness.mjs';

// Measured by this test against the admin before issue 15's changes (web-admin as in commit
// 4fe6790; the same 12-section page and keystrokes, two runs on a 2-core development machine).
const BEFORE = 'p50 5.9–6.3 ms, p95 15.3–16.4 ms, mean 7.0–7.8 ms; with the CPU slowed 4x: p50 15.4–16.5 ms, p95 22.4–26.1 ms';

const KEYS = ['overview', 'mechanism', 'clinical_uses', 'administration', 'benefits', 'side_effects', 'risks', 'contraindications', 'interactions', 'legal', 'patient_guidance', 'other'];

export function longContent() {
  const sample = loadFixture('ketamine.json').content;
  const para = (k, n) => `Paragraph ${n} about ${k}: ` + 'Clinicians weigh benefits against risks, and the dose is adjusted to the person. '.repeat(6);
  return {
    ...sample,
    sections: KEYS.map((key, i) => ({ key, title: `Section ${i + 1}: ${key.replace(/_/g, ' ')}`, body: [1, 2, 3, 4].map((n) => para(key, n)).join('\n\n') + '\n\n- a point\n- another point' })),
  };
}

export async function createLongPage() {
  const writer = await login('writer@example.com');
  const r = await api('POST', '/api/v1/manage/pages', { token: writer, body: { slug: `long-page-e2e-${rand()}`, content: longContent() } });
  assertEqual(r.status, 201, 'create the long page');
  return r.body.id;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Waits until the frame after the next one is painted: whatever a key press changed is on
 * the screen. */
const nextFrame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Types n characters into the focused field, one at a time, and returns the script
 * milliseconds Chrome spent on each (until the frame after it is painted). */
export async function scriptPerKeystroke(page, n = 60, slowdown = 1) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  const script = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value * 1000;
  await nextFrame(page);
  const out = [];
  for (let i = 0; i < n; i++) {
    const before = await script();
    await page.keyboard.press(i % 10 === 9 ? 'Space' : 'KeyA');
    await nextFrame(page);
    out.push((await script()) - before);
  }
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.detach();
  return { p50: pct(out, 50), p95: pct(out, 95), mean: out.reduce((a, b) => a + b, 0) / out.length };
}

/** Runs act() and returns, for each section whose DOM changed meanwhile, its index (its
 * place in the sections' list) with the number of mutation records; "list" counts changes
 * to the list itself (sections added, removed or put back anew). */
export async function sectionsTouched(page, act) {
  await page.evaluate(() => {
    const touched = {};
    const count = (records) => {
      for (const r of records) {
        const el = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
        // A text node already removed from the page cannot be placed; its removal is a
        // childList record on its parent, which is.
        if (!el) continue;
        let key = null;
        if (el.matches('#f-sections > ol')) key = 'list';
        else {
          const li = el.closest('#f-sections > ol > li');
          if (li) key = String([...li.parentElement.children].indexOf(li));
        }
        if (key !== null) touched[key] = (touched[key] || 0) + 1;
      }
    };
    const observer = new MutationObserver(count);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    window.__sectionsTouched = { observer, touched, count };
  });
  await act();
  await nextFrame(page);
  return page.evaluate(() => {
    const { observer, touched, count } = window.__sectionsTouched;
    count(observer.takeRecords()); // records not yet delivered count too
    observer.disconnect();
    return touched;
  });
}

/** Types n characters into the focused field, one frame after another. */
async function typeSome(page, n = 20) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press(i % 10 === 9 ? 'Space' : 'KeyA');
    await nextFrame(page);
  }
}

async function keystrokes(t) {
  const id = await createLongPage();
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}`);
  const body = page.locator('#f-sections-11-body');
  await body.waitFor();
  await page.waitForLoadState('networkidle');
  await body.click();
  await body.press('End');
  // Typing in the twelfth section re-renders that section only: the other eleven keep their
  // DOM as it was, whatever the machine's speed.
  const typed = await sectionsTouched(page, () => typeSome(page));
  assertEqual(Object.keys(typed), ['11'], `sections whose DOM changed while typing in section 12 (mutation records by index: ${JSON.stringify(typed)})`);
  const f = (x) => `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms, mean ${x.mean.toFixed(1)} ms`;
  const now = await scriptPerKeystroke(page);
  const slow = await scriptPerKeystroke(page, 30, 4);
  console.log(`    script per keystroke on a 12-section page: ${f(now)}; with the CPU slowed 4x: ${f(slow)}`);
  console.log(`    before issue 15's changes: ${BEFORE}`);
  // The control: a change every section must show (section 12 takes the overview's type, so
  // every section's type menu marks other types as used anew) is seen in all twelve, so the
  // check above would see them too if typing rendered them again.
  const retyped = await sectionsTouched(page, () => page.getByLabel('Section 12 type').selectOption('overview'));
  assertEqual(Object.keys(retyped).sort((a, b) => a - b), [...Array(12).keys()].map(String), `sections whose DOM changed when section 12 took another type (${JSON.stringify(retyped)})`);
}

// The outline: section 12 to the top with one key press, Ctrl+S saves; collapsing; the
// Markdown toolbar; pasted lines become list items.
async function outlineAndTools(t) {
  const id = await createLongPage();
  const page = await t.newPage({ label: 'writer' });
  await signIn(page, 'writer@example.com');
  await page.goto(`/admin/pages/${id}`);
  const outline = page.getByRole('navigation', { name: 'Outline' });
  const twelfth = outline.getByRole('button', { name: /^12\. Section 12/ });
  await twelfth.focus();
  await page.keyboard.press('Alt+Home');
  await expectText(outline.locator('li').first(), '1. Section 12: other');
  assertEqual(await page.locator('#f-sections-0-title').inputValue(), 'Section 12: other', 'the form follows the outline');
  assert(await outline.getByRole('button', { name: /^1\. Section 12/ }).evaluate((el) => el === document.activeElement), 'the focus stays on the moved section');
  await expectText(page.locator('[role="status"][aria-live="polite"]'), 'moved to position 1 of 12');
  // Ctrl+S saves from the outline.
  await page.keyboard.press('Control+s');
  await expectText(page.locator('.save-state'), 'Saved · revision 2');
  const saved = await api('GET', `/api/v1/manage/pages/${id}`, { token: await login('writer@example.com') });
  assertEqual(saved.body.content.sections[0].title, 'Section 12: other', 'saved order');
  await screen(page, '50-outline');

  // Jump: the section's title gets the focus.
  await outline.getByRole('button', { name: /^7\. Section 6/ }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'f-sections-6-title');

  // Collapse every section, then open one again.
  await outline.getByRole('button', { name: 'Collapse all sections' }).click();
  assert(!(await page.locator('#f-sections-3-body').isVisible()), 'collapsed sections hide their fields');
  await page.getByRole('button', { name: /^Section 4 \(/ }).click();
  await page.locator('#f-sections-3-body').waitFor({ state: 'visible' });
  await screen(page, '51-sections-collapsed');

  // The Markdown toolbar: bold around the selection.
  const body = page.locator('#f-sections-3-body');
  await body.evaluate((el) => {
    el.focus();
    el.setSelectionRange(0, 9); // "Paragraph"
  });
  await page.getByRole('toolbar', { name: 'Format Section 4 body' }).getByRole('button', { name: 'Bold' }).click();
  assert((await body.inputValue()).startsWith('**Paragraph** 1'), `bold: ${(await body.inputValue()).slice(0, 30)}`);
  await page.keyboard.press('Control+z');
  assert((await body.inputValue()).startsWith('Paragraph 1'), 'the toolbar edit is undone by Ctrl+Z');

  // Lines pasted into a list become its items.
  await page.getByRole('button', { name: '+ Add common side effect', exact: true }).click();
  const n = (await page.locator('input[id^="f-sideEffects-common-"]').count()) - 1;
  const item = page.locator(`#f-sideEffects-common-${n}`);
  await item.focus();
  await item.evaluate((el) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', '- dry mouth\n- blurred vision\n- sweating');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await page.locator(`#f-sideEffects-common-${n + 2}`).waitFor();
  assertEqual(
    [await page.locator(`#f-sideEffects-common-${n}`).inputValue(), await page.locator(`#f-sideEffects-common-${n + 2}`).inputValue()],
    ['dry mouth', 'sweating'],
    'pasted lines as items',
  );
}

export const tests = [
  { name: 'long page: typing in one section leaves the others untouched; script time per keystroke printed', fn: keystrokes },
  { name: 'long page: outline reorders with the keyboard, Ctrl+S saves, sections collapse, toolbar and pasted lists', fn: outlineAndTools },
];
