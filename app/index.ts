// The Ebb Worker's one entry: the Worker built from the connectors Ebb ships, and its two Durable
// Object classes (each tenant's store; each connection's gate).
import { CONNECTORS } from "../connectors/registry.ts";
import { createWorker } from "./worker.tsx";

export { TenantStore } from "./tenant/tenant-store.ts";

const worker = createWorker(CONNECTORS);

export const ConnectionGate = worker.ConnectionGate;
export const app = worker.app;
export default worker.handler;
export type ConnectionGate = InstanceType<typeof ConnectionGate>;
