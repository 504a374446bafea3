// Every connector Ebb ships. Adding a vendor = a folder under connectors/ plus one line here; the
// contract suite (tests/contract/) then runs against it.
import { hubspot } from "./hubspot/index.ts";

export const CONNECTORS = { hubspot } as const;
export type ConnectorId = keyof typeof CONNECTORS;
