import { runSurgeStoreContract } from "../surge-store.contract.ts";
import { createEmbeddedSurgeStore } from "./embedded-surge-store.ts";

runSurgeStoreContract({ name: "embedded", create: async () => createEmbeddedSurgeStore() });
