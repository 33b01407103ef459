interface Waiting {
  at: number;
  /** Null once settled: a settled entry waits in the queue until its deadline, and must not keep the request alive that long. */
  expire: (() => void) | null;
}

export interface DeadlineSweep {
  /**
   * Settles like `work`, unless `timeoutMs` passes first: then like `expired()` (its value, or
   * what it throws). The abandoned work's own failure is then nobody's to handle.
   */
  bound<T>(work: Promise<T>, expired: () => T): Promise<T>;
}

/**
 * One timer for every request waiting on the same bound, instead of a setTimeout and a
 * Promise.race per request (measurable at tens of thousands of requests a second). Every
 * deadline is now + the same timeout, so they come due in the order they were set: a queue
 * swept from its head by a timer armed for the oldest one. A deadline fires up to
 * `resolutionMs` late, so a steady stream of requests re-arms the timer at most that often.
 */
export function createDeadlineSweep(timeoutMs: number, resolutionMs = Math.min(20, Math.max(1, timeoutMs / 50))): DeadlineSweep {
  let queue: Waiting[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const arm = () => {
    while (head < queue.length && queue[head]!.expire === null) head++;
    if (head === queue.length) {
      queue = [];
      head = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    timer = setTimeout(sweep, Math.max(resolutionMs, queue[head]!.at - performance.now()));
  };

  const sweep = () => {
    timer = undefined;
    const now = performance.now();
    while (head < queue.length && queue[head]!.at <= now) {
      const w = queue[head++]!;
      const expire = w.expire;
      w.expire = null;
      expire?.();
    }
    arm();
  };

  return {
    bound<T>(work: Promise<T>, expired: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const w: Waiting = {
          at: performance.now() + timeoutMs,
          expire: () => {
            work.catch(() => {});
            try {
              resolve(expired());
            } catch (err) {
              reject(err);
            }
          },
        };
        queue.push(w);
        if (!timer) arm();
        work.then(
          (value) => {
            if (w.expire === null) return;
            w.expire = null;
            resolve(value);
          },
          (err: unknown) => {
            if (w.expire === null) return;
            w.expire = null;
            reject(err);
          },
        );
      });
    },
  };
}

const sweeps = new Map<number, DeadlineSweep>();

/** The process's sweep for this timeout (a handful of distinct timeouts exist: one per configured bound). */
export function deadlineSweep(timeoutMs: number): DeadlineSweep {
  let s = sweeps.get(timeoutMs);
  if (!s) sweeps.set(timeoutMs, (s = createDeadlineSweep(timeoutMs)));
  return s;
}
