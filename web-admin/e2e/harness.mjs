// A small browser-test harness on playwright-core and Debian's headless Chromium
// (chromium-headless-shell, installed by scripts/install-browser; no browser download).
// Each test gets its own browser contexts; console errors and uncaught page errors fail the
// test; `checkA11y` runs axe-core in the page and fails on serious or critical violations;
// `shot` saves a screenshot under test-results/screenshots/.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE_URL = (process.env.MONOGRAPH_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SCREENSHOTS = path.resolve(here, '..', 'test-results', 'screenshots');
export const PASSWORD = process.env.MONOGRAPH_DEMO_PASSWORD || 'monograph-demo';
const CHROMIUM = process.env.CHROMIUM_PATH || process.env.CHROMIUM || '/usr/bin/chromium-headless-shell';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright starts Chromium with a fresh temporary user data dir for every launch.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export class TestContext {
  constructor(browser, name) {
    this.browser = browser;
    this.name = name;
    this.errors = [];
    this.contexts = [];
  }

  /** A new browser context (its own cookies and storage: another person) and page. */
  async newPage({ width = 1280, height = 800, label = 'page' } = {}) {
    const context = await this.browser.newContext({ viewport: { width, height }, baseURL: BASE_URL });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // The browser logs every 4xx answer as "Failed to load resource"; the app handles
      // those (wrong password, version conflict…). Server errors still fail the test.
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
      this.errors.push(`[${label}] console error: ${text}`);
    });
    page.on('pageerror', (err) => this.errors.push(`[${label}] uncaught error: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 500) this.errors.push(`[${label}] HTTP ${res.status()} from ${res.request().method()} ${res.url()}`);
    });
    return page;
  }

  async close() {
    for (const c of this.contexts) await c.close().catch(() => {});
  }
}

/** Saves a full-page screenshot. */
export async function shot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A modal dialog is shown as the person sees it; other screens whole.
  const dialogOpen = await page.evaluate(() => !!document.querySelector('dialog[open]'));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: !dialogOpen });
}

/** Runs axe-core in the page; throws on any serious or critical violation. */
export async function checkA11y(page, name) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\n').slice(0, 2).join(' ')) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on "${name}":\n` + bad.map((v) => `  - [${v.impact}] ${v.id}: ${v.help}\n      ${v.nodes.join('\n      ')}`).join('\n'));
  }
  return violations;
}

/** A screen checked the same way everywhere: screenshot and accessibility. */
export async function screen(page, name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await shot(page, name);
  await checkA11y(page, name);
}

export async function signIn(page, email, password = PASSWORD) {
  await page.goto('/admin/');
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Waits until `locator` contains `text`. */
export async function expectText(locator, text, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: 2_000 }).catch(() => '')) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${locator} to contain ${text}, got: ${last.slice(0, 300)}`);
}

export function assert(cond, message) {
  if (!cond) throw new Error('assertion failed: ' + message);
}

export function assertEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Talks to the API directly, as an integration would. */
export async function api(method, urlPath, { token, body, ifMatch } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
  const res = await fetch(BASE_URL + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export async function login(email, password = PASSWORD) {
  const r = await api('POST', '/api/v1/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.accessToken;
}

export function loadFixture(name) {
  return JSON.parse(readFileSync(path.join(here, 'fixtures', name), 'utf8'));
}

export const rand = () => Math.random().toString(36).slice(2, 8);
