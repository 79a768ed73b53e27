import { describe, expect, it } from 'vitest';
import { indexAfterMove, indexAfterRemove, insertItem, moveDown, moveItem, moveUp, removeItem, replaceItem } from './list';

describe('list helpers', () => {
  const l = ['a', 'b', 'c', 'd'];
  it('moves up and down, clamped at the ends, without mutating', () => {
    expect(moveUp(l, 2)).toEqual(['a', 'c', 'b', 'd']);
    expect(moveDown(l, 0)).toEqual(['b', 'a', 'c', 'd']);
    expect(moveUp(l, 0)).toEqual(l);
    expect(moveDown(l, 3)).toEqual(l);
    expect(moveItem(l, 0, 3)).toEqual(['b', 'c', 'd', 'a']);
    expect(l).toEqual(['a', 'b', 'c', 'd']);
  });
  it('removes, inserts and replaces', () => {
    expect(removeItem(l, 1)).toEqual(['a', 'c', 'd']);
    expect(removeItem(l, 9)).toEqual(l);
    expect(insertItem(l, 1, 'x')).toEqual(['a', 'x', 'b', 'c', 'd']);
    expect(insertItem(l, 99, 'x')).toEqual(['a', 'b', 'c', 'd', 'x']);
    expect(replaceItem(l, 3, 'z')).toEqual(['a', 'b', 'c', 'z']);
  });
  it('tracks where items go', () => {
    for (const [from, to] of [
      [0, 3],
      [3, 0],
      [1, 2],
      [2, 1],
    ]) {
      const moved = moveItem(l, from, to);
      l.forEach((item, old) => expect(moved[indexAfterMove(old, from, to, l.length)]).toBe(item));
    }
    const removed = removeItem(l, 1);
    l.forEach((item, old) => {
      const ni = indexAfterRemove(old, 1);
      if (ni >= 0) expect(removed[ni]).toBe(item);
      else expect(item).toBe('b');
    });
  });
});
