/**
 * A binary min-heap ordered by due time, with each item's position stored on the item so it can
 * be removed or re-keyed in O(log n). The scheduler keeps every idle job in one of these and arms a
 * single timer for the top, instead of one timer per job: 10,000 targets cost one pending timer.
 */

/** What the heap needs on an item: its key, a tie-breaker, and a slot for its position. */
export interface HeapItem {
  /** Monotonic milliseconds: smaller comes out first. */
  due: number;
  /** Tie-breaker among equal `due` (insertion order), so the order is deterministic. */
  seq: number;
  /** Index in the heap that holds the item, or -1. Owned by the heap. */
  heapIndex: number;
}

/** Min-heap on (`due`, `seq`); an item is in at most one heap at a time. */
export class DueHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  /** Items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item: O(log n). */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the earliest item: O(log n). */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` if this heap holds it: O(log n). Returns whether it did. */
  remove(item: T): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.#items[i] = last;
      last.heapIndex = i;
      this.#down(i);
      this.#up(last.heapIndex);
    }
    return true;
  }

  /** Applies `f` to every item's `due` and restores the heap order (Floyd's heapify): O(n). */
  mapDue(f: (due: number) => number): void {
    for (const item of this.#items) item.due = f(item.due);
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  /** Every item, in heap (not due) order. */
  values(): IterableIterator<T> {
    return this.#items.values();
  }

  #less(a: T, b: T): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i] as T;
    const b = this.#items[j] as T;
    this.#items[i] = b;
    this.#items[j] = a;
    b.heapIndex = i;
    a.heapIndex = j;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i] as T, this.#items[parent] as T)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      let least = left;
      if (right < n && this.#less(this.#items[right] as T, this.#items[left] as T)) least = right;
      if (!this.#less(this.#items[least] as T, this.#items[i] as T)) return;
      this.#swap(i, least);
      i = least;
    }
  }
}
