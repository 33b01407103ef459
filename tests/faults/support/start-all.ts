/**
 * Starts services side by side and hands each to `keep` as soon as it is up, so that
 * when one fails to start the file's afterAll still stops the others; then rethrows the
 * first failure.
 */
export async function startAll(starts: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
