/**
 * Wakes the partition loops of one EventLog instance as soon as its own publisher has
 * committed to their partition, so delivery does not wait for the next poll. Writes by
 * other instances on the same file are only seen by polling.
 *
 * Each partition has a ring counter: a loop reads it before fetching and waits "since"
 * that value, so a ring that lands between an empty fetch and the wait is not missed.
 */
export class Doorbell {
  readonly #rings = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();

  ring(topic: string, partition: number): void {
    const k = slot(topic, partition);
    this.#rings.set(k, (this.#rings.get(k) ?? 0) + 1);
    const waiting = this.#waiters.get(k);
    if (!waiting) return;
    this.#waiters.delete(k);
    for (const wake of waiting) wake();
  }

  rings(topic: string, partition: number): number {
    return this.#rings.get(slot(topic, partition)) ?? 0;
  }

  /** Resolves on a ring after `since`, after `timeoutMs`, or on abort, whichever is first. */
  wait(topic: string, partition: number, since: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const k = slot(topic, partition);
    if (signal.aborted || this.rings(topic, partition) !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", wake);
        this.#waiters.get(k)?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      signal.addEventListener("abort", wake, { once: true });
      const waiting = this.#waiters.get(k) ?? new Set();
      waiting.add(wake);
      this.#waiters.set(k, waiting);
    });
  }
}

function slot(topic: string, partition: number): string {
  return `${partition}/${topic}`;
}
