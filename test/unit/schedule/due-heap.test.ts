/** The due-time heap against a sorted array, under random pushes, pops, removals and re-keying. */
import { describe, expect, it } from 'vitest';
import { DueHeap, type HeapItem } from '../../../src/schedule/due-heap.ts';
import { seededRandom } from './fake-timers.ts';

function item(due: number, seq: number): HeapItem {
  return { due, seq, heapIndex: -1 };
}

function drain(heap: DueHeap<HeapItem>): HeapItem[] {
  const out: HeapItem[] = [];
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) out.push(top);
  return out;
}

const bySchedule = (a: HeapItem, b: HeapItem) => a.due - b.due || a.seq - b.seq;

describe('DueHeap', () => {
  it.each([1, 2, 7, 100, 1_000])('pops %i items in (due, seq) order after random removals', (n) => {
    const random = seededRandom(n);
    const heap = new DueHeap<HeapItem>();
    // Few distinct dues, so ties (broken by seq) are common.
    const items = Array.from({ length: n }, (_, i) => item(Math.floor(random() * 20), i));
    for (const it of items) heap.push(it);
    const removed = items.filter(() => random() < 0.3);
    for (const it of removed) expect(heap.remove(it)).toBe(true);
    for (const it of removed) expect(heap.remove(it)).toBe(false);
    const kept = items.filter((it) => !removed.includes(it)).sort(bySchedule);
    expect(heap.size).toBe(kept.length);
    expect(heap.peek()).toBe(kept[0]);
    expect(drain(heap)).toEqual(kept);
    expect(items.every((it) => it.heapIndex === -1)).toBe(true);
  });

  it('does not remove an item held by another heap', () => {
    const a = new DueHeap<HeapItem>();
    const b = new DueHeap<HeapItem>();
    const x = item(1, 0);
    const y = item(2, 1);
    a.push(x);
    b.push(y);
    expect(b.remove(x)).toBe(false);
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
  });

  it('mapDue re-keys every item and keeps the order valid', () => {
    const random = seededRandom(9);
    const heap = new DueHeap<HeapItem>();
    const items = Array.from({ length: 200 }, (_, i) => item(random() * 1000, i));
    for (const it of items) heap.push(it);
    heap.mapDue((due) => (due > 500 ? 500 + (due - 500) * 0.01 : due));
    expect(drain(heap)).toEqual([...items].sort(bySchedule));
  });
});
