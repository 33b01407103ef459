/**
 * Tables of the embedded log. All statements are idempotent, so every open applies them.
 *
 * - `log_partitions.next_offset` is the offset the next record gets. It lives apart from
 *   the records because retention may delete every record of a partition, and offsets
 *   must never be reused.
 * - `log_records` keeps the rowid (faster appends than a WITHOUT ROWID table keyed by
 *   topic/partition/offset, measured here) and a unique index for reads by position;
 *   the index also rejects a duplicate offset instead of storing it.
 * - `log_group_offsets.committed` is the next offset the group will read (Kafka's meaning).
 */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS log_topics (
    name TEXT PRIMARY KEY,
    partitions INTEGER NOT NULL CHECK (partitions > 0),
    retention_ms INTEGER NOT NULL,
    cleanup_policy TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS log_partitions (
    topic TEXT NOT NULL REFERENCES log_topics (name),
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic, partition)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS log_records (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    headers TEXT NOT NULL,
    ts INTEGER NOT NULL
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS log_records_position ON log_records (topic, partition, offset)`,
  `CREATE TABLE IF NOT EXISTS log_group_offsets (
    group_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    committed INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, partition)
  ) WITHOUT ROWID`,
];
