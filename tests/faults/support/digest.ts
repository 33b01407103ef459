import { RedisClient } from "bun";
import type { Db } from "../../../shared/db/open-libsql.ts";

/**
 * A sorted, canonical dump of every key in a Redis database (by type: zset members with
 * scores, hash fields, set members, strings, list items) and its SHA-256.
 */
export async function redisDigest(url: string): Promise<{ keys: number; hash: string; dump: string[] }> {
  const redis = new RedisClient(url);
  try {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = (await redis.send("SCAN", [cursor, "COUNT", "1000"])) as [string, string[]];
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    keys.sort();
    const dump: string[] = [];
    for (const key of keys) {
      const type = String(await redis.send("TYPE", [key]));
      let value: unknown;
      if (type === "zset") value = await redis.send("ZRANGE", [key, "0", "-1", "WITHSCORES"]);
      else if (type === "hash") value = Object.entries((await redis.send("HGETALL", [key])) as Record<string, string>).sort();
      else if (type === "set") value = ((await redis.send("SMEMBERS", [key])) as string[]).sort();
      else if (type === "list") value = await redis.send("LRANGE", [key, "0", "-1"]);
      else value = await redis.send("GET", [key]);
      dump.push(`${key} ${type} ${JSON.stringify(value)}`);
    }
    return { keys: keys.length, hash: sha256(dump), dump };
  } finally {
    redis.close();
  }
}

/** Every row of `tables`, all columns, sorted, and the SHA-256 of the lot; row counts per table for the summary. */
export async function libsqlDigest(db: Db, tables: string[]): Promise<{ rows: Record<string, number>; hash: string; dump: string[] }> {
  const dump: string[] = [];
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const rs = await db.client.execute(`SELECT * FROM ${table}`);
    const lines = rs.rows.map((r) => `${table} ${JSON.stringify(rs.columns.map((c) => r[c]))}`).sort();
    rows[table] = lines.length;
    dump.push(...lines);
  }
  return { rows, hash: sha256(dump), dump };
}

function sha256(lines: string[]): string {
  return new Bun.CryptoHasher("sha256").update(lines.join("\n")).digest("hex");
}

/** The first lines that differ, for a failure message. */
export function diff(a: string[], b: string[], max = 5): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  return [...a.filter((l) => !sb.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !sa.has(l)).map((l) => `+ ${l}`)].slice(0, max);
}
