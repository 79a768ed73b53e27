import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { accountFieldErrors, accountLink, tokenFromLocation } from './account';

describe('accountLink', () => {
  it.each([
    ['enrol', 'abc', 'https://cms.example.org', 'https://cms.example.org/admin/enrol#token=abc'],
    ['reset', 'a+b/c=', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080/admin/reset#token=a%2Bb%2Fc%3D'],
  ] as const)('%s %s', (kind, token, origin, want) => {
    expect(accountLink(kind, token, origin)).toBe(want);
  });

  it('round-trips through tokenFromLocation', () => {
    const link = new URL(accountLink('reset', 'x+y/z= 1', 'http://h'));
    expect(tokenFromLocation(link.hash, link.search)).toBe('x+y/z= 1');
  });
});

describe('tokenFromLocation', () => {
  it.each([
    ['#token=abc', '', 'abc'],
    ['', '?token=def', 'def'],
    ['#token=abc', '?token=def', 'abc'],
    ['#token=', '?token=def', 'def'],
    ['#other=1', '', ''],
    ['', '', ''],
    ['#token=%20', '', ''],
  ])('hash %j search %j', (hash, search, want) => {
    expect(tokenFromLocation(hash, search)).toBe(want);
  });
});

const problem = (status: number, code: string, errors?: { field: string; message: string }[]) =>
  new ApiError(status, { status, code, title: 'refused', detail: `detail of ${code}`, errors });

describe('accountFieldErrors', () => {
  it.each([
    {
      name: 'a code without fields goes to its field',
      err: problem(422, 'role_conflict'),
      byCode: { role_conflict: 'roles' },
      want: { roles: ['detail of role_conflict'] },
    },
    {
      name: 'the server’s own field wins over the code',
      err: problem(403, 'self_modification', [{ field: 'disabled', message: 'not your own' }]),
      byCode: { self_modification: 'roles' },
      want: { disabled: ['not your own'] },
    },
    {
      name: 'server names are renamed to the form’s',
      err: problem(400, 'invalid', [
        { field: 'newPassword', message: 'too short' },
        { field: 'currentPassword', message: 'not correct' },
      ]),
      rename: { newPassword: 'password' },
      want: { password: ['too short'], currentPassword: ['not correct'] },
    },
    { name: 'an unknown code maps to nothing', err: problem(409, 'whatever'), byCode: { role_conflict: 'roles' }, want: {} },
    { name: 'not an API error', err: new Error('offline'), byCode: { role_conflict: 'roles' }, want: {} },
    { name: 'errors without a field are left to the caller', err: problem(400, 'invalid', [{ field: '', message: 'bad' }]), want: {} },
  ] as { name: string; err: unknown; byCode?: Record<string, string>; rename?: Record<string, string>; want: Record<string, string[]> }[])('$name', ({ err, byCode, rename, want }) => {
    expect(accountFieldErrors(err, byCode, rename)).toEqual(want);
  });
});
