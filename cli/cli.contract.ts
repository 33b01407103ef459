import { afterAll, expect, test } from "bun:test";
import { createEnvelope, envelopeHeaders, HEADER_ID } from "../shared/events/envelope.ts";
import { dlqTopicOf, type TopicSpec } from "../shared/events/topics.ts";
import type { DeliveredRecord, EventLog } from "../shared/log/event-log.ts";
import { deadLetterRecord } from "../workers/runtime/dead-letter.ts";
import type { CliCatalogue } from "./context.ts";
import { readToEnd } from "./read-topic.ts";
import { runCommand } from "./run-command.ts";

/**
 * The CLI suite, run by each EventLog adapter's test file: every command in-process
 * against a real log, output captured. Names are unique, since the broker is shared.
 */
export interface CliContractOptions {
  name: string;
  /** One log for the suite; a missing broker makes this throw, which fails each test with its message. */
  create: () => Promise<EventLog>;
}

function uniq(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

function spec(name: string, partitions: number): TopicSpec {
  return { name, partitions, retentionMs: 3_600_000, cleanupPolicy: "delete", keyField: "bookingId", description: "cli test" };
}

function event(key: string, type = "booking.requested") {
  const e = createEnvelope({ type, key, data: { bookingId: key }, source: "cli-test" });
  return { envelope: e, value: JSON.stringify(e), headers: envelopeHeaders(e) };
}

export function runCliContract({ name, create }: CliContractOptions): void {
  let opened: Promise<EventLog> | undefined;
  const log = () => (opened ??= create());
  afterAll(async () => (await opened?.catch(() => undefined))?.close());

  /** A source topic and its dead-letter twin, and a catalogue naming them and a group over the source. */
  async function setup(partitions = 3) {
    const topic = uniq("cli");
    const group = uniq("cli-group");
    const topics = [spec(topic, partitions), spec(dlqTopicOf(topic), 1)];
    await (await log()).admin().ensureTopics(topics);
    const catalogue: CliCatalogue = { topics, groups: [{ name: "test-worker", group, topics: [topic] }] };
    return { topic, group, catalogue };
  }

  async function run(argv: string[], catalogue: CliCatalogue) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(argv, { log: await log(), out: (l) => void out.push(l), err: (l) => void err.push(l), catalogue });
    return { code, out, err: err.join("\n") };
  }

  async function publish(topic: string, keys: string[]) {
    const events = keys.map((k) => event(k));
    await (await log()).publisher().publish(events.map((e) => ({ topic, key: e.envelope.key, value: e.value, headers: e.headers })));
    return events;
  }

  async function readAll(topic: string): Promise<DeliveredRecord[]> {
    const got: DeliveredRecord[] = [];
    await readToEnd(await log(), topic, (r) => void got.push(r));
    return got;
  }

  test(`${name}: topics creates the catalogue's topics and lists partitions, retention, policy and end offsets`, async () => {
    const topic = uniq("cli-topics");
    const catalogue: CliCatalogue = { topics: [spec(topic, 2)], groups: [] };
    const before = await run(["topics"], catalogue);
    expect(before.code).toBe(0);
    expect(before.out.find((l) => l.startsWith(topic))).toMatch(new RegExp(`^${topic}\\s+2\\s+1h\\s+delete\\s+0\\s+0:0 1:0$`));
    await publish(topic, ["a", "b", "c"]);
    const after = await run(["topics"], catalogue);
    expect(after.out.find((l) => l.startsWith(topic))).toMatch(new RegExp(`^${topic}\\s+2\\s+1h\\s+delete\\s+3\\s`));
  });

  test(`${name}: lag counts what was published after the group's committed offsets`, async () => {
    const { topic, group, catalogue } = await setup();
    await publish(topic, ["a", "b"]);
    // The group has consumed everything so far...
    await (await log()).admin().resetOffsets(group, topic, { to: "latest" });
    // ...and these three it has not.
    await publish(topic, ["c", "d", "e"]);
    const byGroup = await run(["lag", group, "--topic", topic], catalogue);
    expect(byGroup.code).toBe(0);
    expect(byGroup.out).toContain("  total lag 3");
    // Without a group, every catalogue group over its own topics.
    const all = await run(["lag"], catalogue);
    expect(all.out[0]).toBe(`group ${group}`);
    expect(all.out).toContain("  total lag 3");
  });

  test(`${name}: dlq list and show read <topic>.dlq; redrive --dry-run publishes nothing; redrive republishes the original with the same event id`, async () => {
    const { topic, catalogue } = await setup();
    const [failed, other] = [event("bk-1"), event("bk-2", "booking.cancelled")];
    const delivered = (e: typeof failed, offset: number): DeliveredRecord => ({
      topic,
      partition: 1,
      offset,
      key: e.envelope.key,
      value: e.value,
      headers: e.headers,
      timestamp: Date.now(),
    });
    const info = { error: new Error("driver table locked"), attempts: 5, group: "fleet-booking", failedAt: new Date() };
    await (await log()).publisher().publish([deadLetterRecord(delivered(failed, 7), info), deadLetterRecord(delivered(other, 8), info)]);

    const list = await run(["dlq", "list", topic], catalogue);
    expect(list.code).toBe(0);
    expect(list.out.at(-1)).toBe(`2 dead letter(s) in ${dlqTopicOf(topic)}`);
    expect(list.out.some((l) => l.includes("bk-1") && l.includes("booking.requested") && l.includes("Error: driver table locked"))).toBe(
      true,
    );

    const show = await run(["dlq", "show", topic, "0"], catalogue);
    expect(show.code).toBe(0);
    expect(show.out).toContain("  dlq-offset: 7");
    expect(show.out.join("\n")).toContain(`"id": "${failed.envelope.id}"`);
    expect((await run(["dlq", "show", topic, "9"], catalogue)).code).toBe(1);

    const dry = await run(["dlq", "redrive", topic, "--key", "bk-1", "--dry-run"], catalogue);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("dry run: nothing published");
    expect(await readAll(topic)).toEqual([]);

    const redrive = await run(["dlq", "redrive", topic, "--type", "booking.requested"], catalogue);
    expect(redrive.code).toBe(0);
    expect(redrive.out).toContain(`1 of 2 dead letter(s) in ${dlqTopicOf(topic)} match`);
    const republished = await readAll(topic);
    expect(republished).toHaveLength(1);
    expect(republished[0]).toMatchObject({ key: "bk-1", value: failed.value, headers: failed.headers });
    expect(republished[0]!.headers[HEADER_ID]).toBe(failed.envelope.id);
  });

  test(`${name}: replay --dry-run changes nothing; replay --to earliest moves committed offsets to the start; an active group is refused`, async () => {
    const { topic, group, catalogue } = await setup(2);
    await publish(topic, ["a", "b", "c", "d"]);
    const admin = (await log()).admin();
    await admin.resetOffsets(group, topic, { to: "latest" });
    const committed = async () => (await admin.lag(group, [topic])).map((p) => p.committed);
    const ends = (await admin.lag(group, [topic])).map((p) => p.end);
    expect(await committed()).toEqual(ends);

    const dry = await run(["replay", "test-worker", "--to", "earliest", "--dry-run"], catalogue);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`dry run: group ${group} was not changed`);
    expect(dry.out.filter((l) => l.startsWith(topic)).map((l) => l.split(/\s+/).slice(2, 4))).toEqual(ends.map((e) => [String(e), "0"]));
    expect(await committed()).toEqual(ends);

    const replay = await run(["replay", group, "--to", "earliest", "--topic", topic], catalogue);
    expect(replay.code).toBe(0);
    expect(await committed()).toEqual([0, 0]);
    expect((await admin.lag(group, [topic])).reduce((n, p) => n + p.lag, 0)).toBe(4);

    const sub = await (await log()).subscriber().subscribe({ group, topics: [topic], handler: async () => {} });
    try {
      const refused = await run(["replay", group, "--to", "earliest", "--topic", topic], catalogue);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`replay of group "${group}" on "${topic}" refused`);
    } finally {
      await sub.stop();
    }
  });

  test(`${name}: tail --from-beginning --count N prints N events and stops`, async () => {
    const { topic, catalogue } = await setup(1);
    const events = await publish(topic, ["t-1", "t-2", "t-3"]);
    const tail = await run(["tail", topic, "--from-beginning", "--count", "2"], catalogue);
    expect(tail.code).toBe(0);
    expect(tail.out).toHaveLength(2);
    events.slice(0, 2).forEach((e, i) => {
      expect(tail.out[i]).toBe(
        `${topic}[0]@${i} ${e.envelope.occurredAt} booking.requested key=${e.envelope.key} id=${e.envelope.id} {"bookingId":"${e.envelope.key}"}`,
      );
    });
  });

  test(`${name}: a bad command or argument exits 2 with a usage line; help lists the commands`, async () => {
    const catalogue: CliCatalogue = { topics: [], groups: [] };
    for (const argv of [
      [],
      ["bogus"],
      ["lag", "a", "b"],
      ["lag", "no-such-group"],
      ["tail"],
      ["tail", "t", "--count", "0"],
      ["tail", "t", "--follow"],
      ["replay", "g", "--topic", "t"],
      ["replay", "g", "--to", "yesterday", "--topic", "t"],
      ["dlq"],
      ["dlq", "purge", "t"],
      ["dlq", "show", "t", "x"],
    ]) {
      const r = await run(argv, catalogue);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toMatch(/^fleet: .+\nusage: fleet /);
    }
    const help = await run(["help"], catalogue);
    expect(help.code).toBe(0);
    for (const c of ["topics", "lag", "dlq", "replay", "tail"]) expect(help.out[0]).toContain(`fleet ${c}`);
    expect(help.out[0]).toContain("stop `bun run dev`");
  });
}
