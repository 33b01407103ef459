import { afterEach, describe, expect, test } from "bun:test";
import { NonRetriableError } from "../errors/errors.ts";
import type { Notification, Notifier } from "./notifier.ts";
import { testNotification } from "./testing.ts";

/**
 * What every Notifier must do, whatever carries the notification: each adapter's test
 * file calls this with a way to build one and to see what reached the other side.
 */
export interface NotifierUnderTest {
  notifier: Notifier;
  /** What arrived, in arrival order. */
  received(): Notification[];
  dispose?(): Promise<void>;
}

export function runNotifierContract(opts: { name: string; create: () => Promise<NotifierUnderTest> }): void {
  describe(`Notifier contract: ${opts.name}`, () => {
    const open: NotifierUnderTest[] = [];
    const create = async () => {
      const t = await opts.create();
      open.push(t);
      return t;
    };
    afterEach(async () => {
      for (const t of open.splice(0)) {
        await t.notifier.close();
        await t.dispose?.();
      }
    });

    test("send resolves once the notification arrived, every field intact", async () => {
      const t = await create();
      const n = testNotification({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
      await t.notifier.send(n);
      expect(t.received()).toEqual([n]);
    });

    test("concurrent sends each arrive once", async () => {
      const t = await create();
      const sent = Array.from({ length: 20 }, (_, i) => testNotification({ recipientId: `drv-${i % 4}` }));
      await Promise.all(sent.map((n) => t.notifier.send(n)));
      const ids = t.received().map((n) => n.eventId);
      expect(ids.sort()).toEqual(sent.map((n) => n.eventId).sort());
    });

    test("an expired notification is refused with NonRetriableError and nothing is sent", async () => {
      const t = await create();
      const err = await t.notifier
        .send(testNotification({ expiresAt: new Date(Date.now() - 1000).toISOString() }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonRetriableError);
      expect((err as Error).message).toContain("expired");
      expect(t.received()).toEqual([]);
    });

    test("after close, send rejects and nothing is sent", async () => {
      const t = await create();
      await t.notifier.close();
      await expect(t.notifier.send(testNotification())).rejects.toThrow("closed");
      expect(t.received()).toEqual([]);
    });
  });
}
