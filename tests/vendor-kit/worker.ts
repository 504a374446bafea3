// The test's Worker entry: the Worker Ebb ships with one registry line more (the Tally test vendor).
// Its Durable Object classes are the same as production's; the gate's is built for this registry.

import { createWorker } from "../../app/worker.tsx";
import { CONNECTORS } from "../../connectors/registry.ts";
import { tally } from "./connector.ts";

export { TenantStore } from "../../app/tenant/tenant-store.ts";

const worker = createWorker({ ...CONNECTORS, tally });

export const ConnectionGate = worker.ConnectionGate;
export default worker.handler;
