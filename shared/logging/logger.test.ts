import { describe, expect, test } from "bun:test";
import { createLogger } from "./logger.ts";

function capture(level: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    write: (l) => lines.push(l),
    now: () => new Date("2026-11-22T10:00:00.000Z"),
    base: { process: "test" },
  });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  test("writes one JSON line per call with level, msg, time, base and call fields", () => {
    const { logger, lines, parsed } = capture("debug");
    logger.info("batch done", { group: "g", topic: "t", partition: 2, offset: 41 });
    expect(lines.length).toBe(1);
    expect(lines[0]).not.toContain("\n");
    expect(parsed()[0]).toEqual({
      level: "info",
      msg: "batch done",
      time: "2026-11-22T10:00:00.000Z",
      process: "test",
      group: "g",
      topic: "t",
      partition: 2,
      offset: 41,
    });
  });

  test("drops lines below the configured level", () => {
    const { logger, parsed } = capture("warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(parsed().map((l) => l.level)).toEqual(["warn", "error"]);
  });

  test("child loggers add their fields; call fields win", () => {
    const { logger, parsed } = capture("info");
    logger.child({ group: "g1", topic: "a" }).child({ partition: 0 }).info("x", { topic: "b" });
    expect(parsed()[0]).toMatchObject({ process: "test", group: "g1", partition: 0, topic: "b" });
  });

  test("errors become name, message, stack and cause", () => {
    const { logger, parsed } = capture("info");
    const cause = new TypeError("socket closed");
    logger.error("failed", { err: new Error("write failed", { cause }) });
    const err = parsed()[0]!.err as Record<string, unknown>;
    expect(err.name).toBe("Error");
    expect(err.message).toBe("write failed");
    expect(typeof err.stack).toBe("string");
    expect(err.cause).toMatchObject({ name: "TypeError", message: "socket closed" });
  });
});
