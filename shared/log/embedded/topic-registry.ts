import type { LogDb } from "./log-db.ts";

export class UnknownTopicError extends Error {
  override readonly name = "UnknownTopicError";
  constructor(readonly topic: string) {
    super(`unknown topic "${topic}" in the embedded log: create it with admin().ensureTopics() first`);
  }
}

export interface TopicInfo {
  name: string;
  partitions: number;
  /** Negative: kept forever. */
  retentionMs: number;
}

/**
 * Topic metadata for one EventLog instance. Topics are never altered once created, so a
 * cached entry stays true; a miss goes back to the file, where another instance (a
 * restart, a test) may have created the topic since.
 */
export class TopicRegistry {
  readonly #known = new Map<string, TopicInfo>();

  constructor(private readonly db: LogDb) {}

  /** Cached lookup for the publish hot path; undefined means "ask `get`". */
  cached(name: string): TopicInfo | undefined {
    return this.#known.get(name);
  }

  async get(name: string): Promise<TopicInfo> {
    const hit = this.#known.get(name);
    if (hit) return hit;
    const [row] = await this.db.query("SELECT name, partitions, retention_ms FROM log_topics WHERE name = ?", [name]);
    if (!row) throw new UnknownTopicError(name);
    return this.#remember(row);
  }

  async all(): Promise<TopicInfo[]> {
    const rows = await this.db.query("SELECT name, partitions, retention_ms FROM log_topics ORDER BY name");
    return rows.map((row) => this.#remember(row));
  }

  #remember(row: Record<string, unknown>): TopicInfo {
    const info = { name: String(row.name), partitions: Number(row.partitions), retentionMs: Number(row.retention_ms) };
    this.#known.set(info.name, info);
    return info;
  }
}
