import { describe, expect, it } from 'vitest';
import type { ActionAvailability } from '../api/types';
import { actionOf, offered, permitted, refusal } from './actions';

const av = (allowed: boolean, reason?: string, message?: string): ActionAvailability => ({ action: 'publish', allowed, reason, message });

describe('page actions', () => {
  it.each([
    { name: 'allowed', a: av(true), offered: true, permitted: true, refusal: null },
    { name: 'not the user’s role', a: av(false, 'forbidden', 'your roles do not allow page:publish'), offered: false, permitted: false, refusal: /role does not allow/ },
    { name: 'wrong state', a: av(false, 'invalid_state', 'cannot publish: the page is draft'), offered: false, permitted: true, refusal: /the page is draft/ },
    { name: 'no signature yet', a: av(false, 'approval_missing', 'x'), offered: true, permitted: true, refusal: /must approve it/ },
    { name: 'an unknown code keeps the server’s words', a: av(false, 'new_rule', 'the moon is full'), offered: true, permitted: true, refusal: /the moon is full/ },
  ])('$name', ({ a, offered: o, permitted: p, refusal: r }) => {
    expect(offered(a)).toBe(o);
    expect(permitted(a)).toBe(p);
    if (r === null) expect(refusal(a)).toBeNull();
    else expect(refusal(a)).toMatch(r);
  });
  it('refuses an action the server did not mention', () => {
    const a = actionOf({ actions: [av(true)] }, 'approve');
    expect(a.allowed).toBe(false);
    expect(offered(a)).toBe(false);
    expect(actionOf({ actions: [av(true)] }, 'publish').allowed).toBe(true);
    expect(actionOf(null, 'publish').allowed).toBe(false);
  });
});
