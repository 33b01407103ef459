import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface SseRead {
  events: EventSourceMessage[];
  /** Comment lines (heartbeats), without the leading colon. */
  comments: string[];
  /** The server ended the response (after a final status, or a cut-off). */
  ended: boolean;
}

/**
 * Reads a text/event-stream response as a client would (eventsource-parser), until
 * `enough` says so, the server ends it, or `timeoutMs` passes; then lets go of the
 * connection. For tests and the stream benchmark; `onEvent` sees each event on arrival.
 */
export async function readSse(
  res: Response,
  opts: { enough?: (r: SseRead) => boolean; timeoutMs?: number; onEvent?: (e: EventSourceMessage) => void } = {},
): Promise<SseRead> {
  const out: SseRead = { events: [], comments: [], ended: false };
  const parser = createParser({
    onEvent: (e) => {
      out.events.push(e);
      opts.onEvent?.(e);
    },
    onComment: (c) => void out.comments.push(c.trim()),
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  try {
    while (!opts.enough?.(out)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk === "timeout") break;
      if (chunk.done) {
        out.ended = true;
        break;
      }
      parser.feed(chunk.value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out;
}
