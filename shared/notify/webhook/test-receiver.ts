import type { Notification } from "../notifier.ts";
import { WEBHOOK_HEADERS } from "./signature.ts";

/*
 * A real HTTP receiver for webhook tests: Bun.serve on a free port, recording every
 * request and answering what the test's `answer` says. Not a test file.
 */

export interface ReceivedRequest {
  eventId: string | null;
  timestamp: string | null;
  signature: string | null;
  contentType: string | null;
  /** The raw body, as a receiver must verify it. */
  body: string;
  notification: Notification;
  receivedAt: number;
  /** The status answered; undefined while the answer is pending. */
  status?: number;
}

/** A status, or a full Response (e.g. with Retry-After); may be late or never come (a hung receiver). */
export type Answer = (req: ReceivedRequest) => number | Response | Promise<number | Response>;

export interface TestReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Replaceable mid-test: a receiver that recovers, or breaks. */
  answer: Answer;
  /** Requests answered 2xx, per event id. */
  delivered(): Map<string, number>;
  stop(): Promise<void>;
}

export function startTestReceiver(answer: Answer = () => 204): TestReceiver {
  const requests: ReceivedRequest[] = [];
  const server = Bun.serve({
    port: 0,
    // A hung answer must stay hung until the client gives up, not until Bun's idle timeout.
    idleTimeout: 0,
    async fetch(req) {
      const body = await req.text();
      const h = req.headers;
      const got: ReceivedRequest = {
        eventId: h.get(WEBHOOK_HEADERS.eventId),
        timestamp: h.get(WEBHOOK_HEADERS.timestamp),
        signature: h.get(WEBHOOK_HEADERS.signature),
        contentType: h.get("content-type"),
        body,
        notification: JSON.parse(body) as Notification,
        receivedAt: Date.now(),
      };
      requests.push(got);
      const a = await receiver.answer(got);
      const res = typeof a === "number" ? new Response(a === 204 ? null : `status ${a}`, { status: a }) : a;
      got.status = res.status;
      return res;
    },
  });
  const receiver: TestReceiver = {
    url: server.url.href,
    requests,
    answer,
    delivered() {
      const counts = new Map<string, number>();
      for (const r of requests)
        if (r.eventId && r.status !== undefined && r.status < 300) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
      return counts;
    },
    async stop() {
      await server.stop(true);
    },
  };
  return receiver;
}
