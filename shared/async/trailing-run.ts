/**
 * Wraps `run` so that concurrent callers share runs: a call resolves with the first run
 * that STARTED after the call, so whatever the caller wrote before calling is covered.
 * At most one run is in progress and one waits behind it, however many callers there
 * are: ten partitions finishing their batches at once cause two runs, not ten in a row.
 * A failed run rejects every caller that joined it; the next call starts afresh.
 */
export function trailingRun<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;

  const start = (): Promise<T> => {
    const p = run().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };

  return () => {
    if (queued) return queued;
    if (!running) return start();
    const q = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    queued = q;
    return q;
  };
}
