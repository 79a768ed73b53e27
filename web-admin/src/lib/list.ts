// Pure helpers for the editor's lists: add, remove and reorder with buttons (keyboard
// accessible; no drag-only interaction). Each returns a new array and never mutates.

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return list.slice();
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (target === from) return list.slice();
  const out = list.slice();
  const [item] = out.splice(from, 1);
  out.splice(target, 0, item);
  return out;
}

export const moveUp = <T>(list: readonly T[], i: number) => moveItem(list, i, i - 1);
export const moveDown = <T>(list: readonly T[], i: number) => moveItem(list, i, i + 1);

export function removeItem<T>(list: readonly T[], i: number): T[] {
  if (i < 0 || i >= list.length) return list.slice();
  return [...list.slice(0, i), ...list.slice(i + 1)];
}

export function insertItem<T>(list: readonly T[], i: number, item: T): T[] {
  const at = Math.max(0, Math.min(list.length, i));
  return [...list.slice(0, at), item, ...list.slice(at)];
}

export function replaceItem<T>(list: readonly T[], i: number, item: T): T[] {
  if (i < 0 || i >= list.length) return list.slice();
  const out = list.slice();
  out[i] = item;
  return out;
}

/** Where the item at `old` ends up after moveItem(list, from, to); -1 never happens here. */
export function indexAfterMove(old: number, from: number, to: number, length: number): number {
  const target = Math.max(0, Math.min(length - 1, to));
  if (old === from) return target;
  if (from < target && old > from && old <= target) return old - 1;
  if (from > target && old >= target && old < from) return old + 1;
  return old;
}

/** Where the item at `old` ends up after removeItem(list, i): -1 for the removed one. */
export function indexAfterRemove(old: number, removed: number): number {
  if (old === removed) return -1;
  return old > removed ? old - 1 : old;
}
