import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeActionError } from './messages';

const err = (status: number, code: string, detail = '') => new ApiError(status, { status, code, detail });

describe('refusals explained', () => {
  it('explains self-approval as separation of duties', () => {
    const m = describeActionError(err(422, 'self_approval'));
    expect(m).toMatch(/you wrote or edited/);
    expect(m).toMatch(/different medical reviewer/);
  });
  it('explains a stale approval', () => {
    expect(describeActionError(err(422, 'approval_stale'))).toMatch(/edited after the reviewed revision/);
  });
  it('explains a missing approval', () => {
    expect(describeActionError(err(422, 'approval_missing'))).toMatch(/must approve it before it can be published/);
  });
  it('explains a 409 as a page that changed', () => {
    expect(describeActionError(err(409, 'revision_not_latest'))).toMatch(/no longer the latest/);
    expect(describeActionError(err(409, 'conflict', 'x'))).toMatch(/changed while you were looking at it/);
  });
  it('explains a refused signature with a password someone else chose, not as a role question', () => {
    const m = describeActionError(err(403, 'password_change_required'));
    expect(m).toMatch(/Change your password/);
    expect(m).not.toMatch(/role/);
  });
  it('explains a 403 as a role question', () => {
    expect(describeActionError(err(403, 'forbidden'))).toMatch(/role/);
  });
});
