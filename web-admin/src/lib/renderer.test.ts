import { describe, expect, it } from 'vitest';
import { Renderer } from './renderer';

function setup(concurrency = 2) {
  const calls: string[] = [];
  let running = 0;
  let peak = 0;
  const pending: (() => void)[] = [];
  const r = new Renderer(
    (md) =>
      new Promise<string>((resolve) => {
        calls.push(md);
        running++;
        peak = Math.max(peak, running);
        pending.push(() => {
          running--;
          resolve(`<p>${md}</p>`);
        });
      }),
    concurrency,
    3,
  );
  // Answers the requests one by one as they arrive, until none comes for a while.
  const flush = async () => {
    for (let idle = 0; idle < 5; ) {
      await new Promise((res) => setTimeout(res, 0));
      if (pending.length) {
        pending.shift()!();
        idle = 0;
      } else idle++;
    }
  };
  return { r, calls, flush, peak: () => peak };
}

describe('Renderer', () => {
  it('renders the same text once, at most `concurrency` at a time', async () => {
    const { r, calls, flush, peak } = setup(2);
    const all = Promise.all(['a', 'b', 'a', 'c', 'd', 'b'].map((m) => r.render(m)));
    await flush();
    expect(await all).toEqual(['<p>a</p>', '<p>b</p>', '<p>a</p>', '<p>c</p>', '<p>d</p>', '<p>b</p>']);
    expect(calls).toEqual(['a', 'b', 'c', 'd']);
    expect(peak()).toBe(2);
    expect(r.cached('a')).toBeUndefined(); // only the last 3 are kept
    expect(r.cached('d')).toBe('<p>d</p>');
    await r.render('d');
    expect(calls).toHaveLength(4);
  });
  it('waits for a seed and asks only for what it lacked', async () => {
    const { r, calls, flush } = setup();
    let seeded!: () => void;
    r.hold(new Promise<void>((res) => (seeded = res)));
    const both = Promise.all([r.render('a'), r.render('b')]);
    await new Promise((res) => setTimeout(res, 0));
    expect(calls).toEqual([]);
    r.seed('a', '<p>from the preview</p>');
    seeded();
    await flush();
    expect(await both).toEqual(['<p>from the preview</p>', '<p>b</p>']);
    expect(calls).toEqual(['b']);
  });
  it('renders empty text without asking', async () => {
    const { r, calls } = setup();
    expect(await r.render('  ')).toBe('');
    expect(calls).toEqual([]);
  });
});
