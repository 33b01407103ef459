import { expect, test } from "bun:test";
import { createLogger } from "../../logging/logger.ts";
import { runNotifierContract } from "../notifier.contract.ts";
import type { Notification } from "../notifier.ts";
import { testNotification } from "../testing.ts";
import { createLogNotifier } from "./log-notifier.ts";

function logNotifier() {
  const lines: string[] = [];
  const logger = createLogger({
    level: "info",
    base: { process: "test" },
    write: (l) => void lines.push(l),
    now: () => new Date("2026-11-02T08:00:00.000Z"),
  });
  return { lines, notifier: createLogNotifier(logger) };
}

runNotifierContract({
  name: "log",
  create: async () => {
    const { lines, notifier } = logNotifier();
    const received = () =>
      lines.map((l) => {
        const { level: _level, msg: _msg, time: _time, process: _process, ...n } = JSON.parse(l) as Record<string, unknown>;
        return n as Notification;
      });
    return { notifier, received };
  },
});

test("log notifier: one JSON line per notification, its fields flat beside level, msg and time", async () => {
  const { lines, notifier } = logNotifier();
  const n = testNotification({
    recipientId: "cust-9",
    recipientType: "customer",
    kind: "booking.status",
    payload: { status: "driver-assigned" },
  });
  await notifier.send(n);
  expect(lines.length).toBe(1);
  expect(lines[0]!.includes("\n")).toBe(false);
  expect(JSON.parse(lines[0]!)).toEqual({ level: "info", msg: "notification", time: "2026-11-02T08:00:00.000Z", process: "test", ...n });
});
