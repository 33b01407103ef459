import { describe, expect, test } from "bun:test";
import { whileRetriable } from "./kafka-retriable.ts";

const retriable = (msg: string) => Object.assign(new Error(msg), { retriable: true });

describe("whileRetriable", () => {
  test("retries errors marked retriable until the call succeeds", async () => {
    let calls = 0;
    const result = await whileRetriable(
      async () => {
        if (++calls < 3) throw retriable("NOT_LEADER_FOR_PARTITION");
        return "ok";
      },
      5,
      1,
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });

  test("rethrows at once an error that is not retriable", async () => {
    let calls = 0;
    const failing = whileRetriable(
      async () => {
        calls++;
        throw new Error("UNKNOWN_TOPIC_OR_PARTITION");
      },
      5,
      1,
    );
    await expect(failing).rejects.toThrow("UNKNOWN_TOPIC_OR_PARTITION");
    expect(calls).toBe(1);
  });

  test("gives up after the last attempt with the last error", async () => {
    let calls = 0;
    const failing = whileRetriable(
      async () => {
        throw retriable(`attempt ${++calls}`);
      },
      4,
      1,
    );
    await expect(failing).rejects.toThrow("attempt 4");
  });
});
