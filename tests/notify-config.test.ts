import { describe, expect, test } from "bun:test";
import { DevConfigSchema } from "../dev-config.ts";
import { ConfigError, parseConfig } from "../shared/config/parse-config.ts";
import { createLogger, silentLogger } from "../shared/logging/logger.ts";
import { openNotifier } from "../shared/notify/open-notifier.ts";
import { testNotification } from "../shared/notify/testing.ts";
import { startTestReceiver } from "../shared/notify/webhook/test-receiver.ts";
import { WorkersConfigSchema } from "../workers/config.ts";

const parseError = (schema: typeof DevConfigSchema | typeof WorkersConfigSchema, env: Record<string, string>) => {
  try {
    parseConfig(schema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("notify settings (workers and dev)", () => {
  for (const [name, schema] of [
    ["DevConfigSchema", DevConfigSchema],
    ["WorkersConfigSchema", WorkersConfigSchema],
  ] as const) {
    test(`${name}: nothing set → no webhook, 5 s timeout`, () => {
      expect(parseConfig(schema, {})).toMatchObject({ NOTIFY_TIMEOUT_MS: 5000 });
      expect(parseConfig(schema, {}).NOTIFY_WEBHOOK_URL).toBeUndefined();
    });

    test(`${name}: a webhook URL without a secret stops start-up naming NOTIFY_WEBHOOK_SECRET`, () => {
      const msg = parseError(schema, { NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet" });
      expect(msg).toContain("NOTIFY_WEBHOOK_SECRET: must be set when NOTIFY_WEBHOOK_URL is set");
    });

    test(`${name}: URL, secret and timeout parsed; bad values each named`, () => {
      expect(
        parseConfig(schema, {
          NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet",
          NOTIFY_WEBHOOK_SECRET: "whsec_x",
          NOTIFY_TIMEOUT_MS: "2500",
        }),
      ).toMatchObject({
        NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet",
        NOTIFY_WEBHOOK_SECRET: "whsec_x",
        NOTIFY_TIMEOUT_MS: 2500,
      });
      const msg = parseError(schema, {
        NOTIFY_WEBHOOK_URL: "ftp://hooks.example.com",
        NOTIFY_WEBHOOK_SECRET: "whsec_x",
        NOTIFY_TIMEOUT_MS: "5s",
      });
      expect(msg).toContain("NOTIFY_WEBHOOK_URL");
      expect(msg).toContain("NOTIFY_TIMEOUT_MS");
    });
  }

  test("the missing-secret error prints no other variable's value", () => {
    const msg = parseError(WorkersConfigSchema, {
      NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet",
      LIBSQL_URL: "libsql://db.example.com",
      LIBSQL_AUTH_TOKEN: "tok-do-not-print",
    });
    expect(msg).toContain("NOTIFY_WEBHOOK_SECRET: must be set when NOTIFY_WEBHOOK_URL is set (got undefined)");
    expect(msg).not.toContain("tok-do-not-print");
  });

  test("the workers' schema reports a missing secret together with other bad variables", () => {
    const msg = parseError(WorkersConfigSchema, { NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet", METRICS_PORT: "ninety" });
    expect(msg).toContain("METRICS_PORT");
    expect(msg).toContain("NOTIFY_WEBHOOK_SECRET");
  });
});

describe("openNotifier", () => {
  test("no URL → the log notifier", async () => {
    const lines: string[] = [];
    const notifier = openNotifier({}, createLogger({ level: "info", write: (l) => void lines.push(l) }));
    await notifier.send(testNotification());
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "notification", notifier: "log" });
  });

  test("URL and secret → the webhook notifier, with the configured timeout", async () => {
    const receiver = startTestReceiver(async () => {
      await Bun.sleep(1_000);
      return 204;
    });
    try {
      const notifier = openNotifier(
        { NOTIFY_WEBHOOK_URL: receiver.url, NOTIFY_WEBHOOK_SECRET: "whsec_x", NOTIFY_TIMEOUT_MS: 150 },
        silentLogger(),
      );
      await expect(notifier.send(testNotification())).rejects.toThrow("webhook did not answer within 150 ms");
      expect(receiver.requests.length).toBe(1);
    } finally {
      await receiver.stop();
    }
  });

  test("URL without a secret is refused here too: an unsigned webhook never goes out", () => {
    expect(() => openNotifier({ NOTIFY_WEBHOOK_URL: "https://hooks.example.com/fleet" }, silentLogger())).toThrow("NOTIFY_WEBHOOK_SECRET");
  });
});
