import type { Hono } from "hono";
import * as v from "valibot";
import { TOPICS } from "../../shared/events/topics.ts";
import { allow } from "../auth/authorize.ts";
import type { GatewayDeps } from "../deps.ts";
import { limitBody } from "../http/body-limit.ts";
import { problem } from "../http/problem.ts";
import { readJson, readParam } from "../http/read-json.ts";
import { queryInteger } from "../http/read-query.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { IsoTimestampSchema } from "../openapi/shared-docs.ts";

/** Every topic of the catalogue has a dead-letter queue. */
const SOURCE_TOPICS = Object.values(TOPICS);
const TopicSchema = v.picklist(SOURCE_TOPICS, `must be one of ${SOURCE_TOPICS.join(", ")}`);
const PositionSchema = queryInteger(0, Number.MAX_SAFE_INTEGER);

const nullableCount = v.nullable(v.pipe(v.number(), v.integer()));
const DeadLetterSchema = v.strictObject({
  partition: v.pipe(v.number(), v.integer()),
  offset: v.pipe(v.number(), v.integer()),
  key: v.string(),
  appendedAt: IsoTimestampSchema,
  type: v.string(),
  eventId: v.nullable(v.string()),
  failedAt: v.nullable(IsoTimestampSchema),
  attempts: nullableCount,
  group: v.nullable(v.string()),
  error: v.string(),
  source: v.nullable(v.strictObject({ topic: v.string(), partition: v.number(), offset: v.number() })),
  value: v.string(),
  headers: v.record(v.string(), v.string()),
});

const CountsSchema = v.strictObject({ topics: v.array(v.strictObject({ topic: v.string(), deadLetters: v.number() })) });
const ListSchema = v.strictObject({ topic: v.string(), deadLetters: v.array(DeadLetterSchema) });
const RedriveBodySchema = v.strictObject({
  key: v.optional(v.pipe(v.string(), v.minLength(1))),
  type: v.optional(v.pipe(v.string(), v.minLength(1))),
  dryRun: v.optional(v.boolean()),
});
const RedriveSchema = v.strictObject({
  topic: v.string(),
  dryRun: v.boolean(),
  read: v.number(),
  redriven: v.number(),
  matched: v.array(
    v.strictObject({ partition: v.number(), offset: v.number(), key: v.string(), type: v.string(), eventId: v.nullable(v.string()) }),
  ),
});

const tag = "Operations";
const access = ["operator"] as const;
const topicParam = { topic: TopicSchema };

export const deadLetterDocs = [
  describeRoute({
    method: "get",
    path: "/v1/operator/dead-letters",
    operationId: "countDeadLetters",
    tag,
    summary: "How many dead letters each topic's queue holds",
    access,
    responses: { 200: { description: "One entry per topic", schema: CountsSchema } },
  }),
  describeRoute({
    method: "get",
    path: "/v1/operator/dead-letters/:topic",
    operationId: "listDeadLetters",
    tag,
    summary: "Every dead letter of a topic: why its consumer gave up, and the original record",
    description: "What `bun run fleet dlq list` prints, as data (the same code reads it).",
    access,
    params: topicParam,
    responses: { 200: { description: "Oldest first within each partition", schema: ListSchema } },
  }),
  describeRoute({
    method: "get",
    path: "/v1/operator/dead-letters/:topic/:partition/:offset",
    operationId: "getDeadLetter",
    tag,
    summary: "One dead letter, with every header",
    access,
    params: { ...topicParam, partition: PositionSchema, offset: PositionSchema },
    responses: { 200: { description: "The dead letter", schema: DeadLetterSchema } },
    problems: { 404: "no dead letter at this partition and offset" },
  }),
  describeRoute({
    method: "post",
    path: "/v1/operator/dead-letters/:topic/redrive",
    operationId: "redriveDeadLetters",
    tag,
    summary: "Republish dead letters to their topic, as first consumed (same event id)",
    description:
      "Every dead letter of the topic, or only those with this `key` and/or event `type`; `dryRun` lists them without publishing. Consumers that already applied an event skip it, so redriving twice is harmless. What `bun run fleet dlq redrive` does (the same code).",
    access,
    params: topicParam,
    body: RedriveBodySchema,
    responses: { 200: { description: "What was (or would be) republished", schema: RedriveSchema } },
  }),
];

/** The dead-letter queues for the console: counts, list, show and redrive, over the CLI's own code (cli/dead-letters.ts). */
export function registerOperatorDeadLetters(app: Hono, deps: Pick<GatewayDeps, "operator">): void {
  const ops = deps.operator.deadLetters;
  const [counts, list, show, redrive] = deadLetterDocs;
  app.get(counts!.path, allow("operator"), async (c) => {
    const n = await ops.count(SOURCE_TOPICS);
    return c.json({ topics: SOURCE_TOPICS.map((topic) => ({ topic, deadLetters: n[topic] ?? 0 })) } satisfies v.InferOutput<
      typeof CountsSchema
    >);
  });
  app.get(list!.path, allow("operator"), async (c) => {
    const topic = readParam(c.req.param("topic"), TopicSchema, "topic");
    return c.json({ topic, deadLetters: await ops.list(topic) } satisfies v.InferOutput<typeof ListSchema>);
  });
  app.get(show!.path, allow("operator"), async (c) => {
    const topic = readParam(c.req.param("topic"), TopicSchema, "topic");
    const partition = readParam(c.req.param("partition"), PositionSchema, "partition");
    const offset = readParam(c.req.param("offset"), PositionSchema, "offset");
    const found = await ops.find(topic, { partition, offset });
    if (!found)
      return problem(c, 404, { title: "Dead letter not found", detail: `no dead letter at ${topic}.dlq[${partition}]@${offset}` });
    return c.json(found satisfies v.InferOutput<typeof DeadLetterSchema>);
  });
  app.post(redrive!.path, allow("operator"), limitBody(4096), async (c) => {
    const topic = readParam(c.req.param("topic"), TopicSchema, "topic");
    const filter = await readJson(c, RedriveBodySchema);
    const report = await ops.redrive(topic, filter);
    return c.json({
      topic,
      dryRun: filter.dryRun ?? false,
      read: report.read,
      redriven: report.redriven,
      matched: report.matched.map(({ partition, offset, key, type, eventId }) => ({ partition, offset, key, type, eventId })),
    } satisfies v.InferOutput<typeof RedriveSchema>);
  });
}
