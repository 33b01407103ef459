import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { commonEnv, port } from "./env-schema.ts";
import { ConfigError, parseConfig } from "./parse-config.ts";

const Schema = v.object({ ...commonEnv, PORT: port(3000) });

describe("parseConfig", () => {
  test("empty environment → embedded defaults", () => {
    const c = parseConfig(Schema, {});
    expect(c).toMatchObject({ PORT: 3000, DATA_DIR: ".data", LOG_LEVEL: "info" });
    expect(c.KAFKA_BROKERS).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
  });

  test("typed values from strings; empty strings count as unset", () => {
    const c = parseConfig(Schema, { PORT: "8080", KAFKA_BROKERS: "a:9092, b:9093", REDIS_URL: "", LOG_LEVEL: "debug" });
    expect(c.PORT).toBe(8080);
    expect(c.KAFKA_BROKERS).toEqual(["a:9092", "b:9093"]);
    expect(c.REDIS_URL).toBeUndefined();
  });

  test("every wrong variable is named in one error", () => {
    let err: unknown;
    try {
      parseConfig(Schema, { PORT: "eighty", KAFKA_BROKERS: "nohostport", REDIS_URL: "http://x", LOG_LEVEL: "loud" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ["PORT", "KAFKA_BROKERS", "REDIS_URL", "LOG_LEVEL"]) expect(msg).toContain(name);
  });

  test("Redis Cluster seed nodes and geo partitions: typed, and refused naming the variable", () => {
    const c = parseConfig(Schema, { REDIS_CLUSTER_URLS: "redis://10.0.0.1:7000, redis://10.0.0.2:7001", GEO_PARTITIONS: "12" });
    expect(c.REDIS_CLUSTER_URLS).toEqual(["redis://10.0.0.1:7000", "redis://10.0.0.2:7001"]);
    expect(c.GEO_PARTITIONS).toBe(12);
    expect(() => parseConfig(Schema, { REDIS_CLUSTER_URLS: "10.0.0.1:7000" })).toThrow(
      "REDIS_CLUSTER_URLS: each node must be redis://host:port",
    );
    expect(() => parseConfig(Schema, { GEO_PARTITIONS: "0" })).toThrow("GEO_PARTITIONS");
  });
});
