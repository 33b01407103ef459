import { ValidationError } from "../../shared/errors/errors.ts";
import { type Envelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { checkEnvelope, describeIssues } from "../../shared/events/event-contracts.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";

/**
 * The record for `envelope` on `topic`, once the check its consumer will run
 * (shared/events/event-contracts.ts) passes: every record the gateway publishes or puts
 * in its outbox comes from here, so a 2xx is never followed by a dead letter.
 *
 * The route's own request schema refuses bad input first; this is the net under it. A
 * refusal of the event's data (built from the request) is the client's: 422 naming the
 * field, as the data and the request use the same names. A refusal of the envelope
 * (id, type, key, version, times the gateway sets) is the gateway's own bug: a 500, and
 * nothing is published.
 */
export function outgoingRecord(topic: string, envelope: Envelope): OutgoingRecord {
  const checked = checkEnvelope(topic, envelope);
  if (!checked.ok) {
    const issues = checked.issues;
    if (issues.every((i) => i.part === "data"))
      throw new ValidationError(
        `the request would make an event its consumer refuses: ${describeIssues(issues)}`,
        issues.map((i) => ({ field: i.path || "(body)", message: i.message })),
        422,
      );
    throw new Error(`the gateway built a ${envelope.type} envelope its consumer refuses: ${describeIssues(issues)}`);
  }
  return { topic, key: envelope.key, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope) };
}
