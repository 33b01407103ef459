import { runIdempotencyStoreContract } from "./idempotency-store.contract.ts";
import { createMemoryIdempotencyStore } from "./memory-idempotency-store.ts";

runIdempotencyStoreContract({ name: "memory", create: async () => createMemoryIdempotencyStore() });
