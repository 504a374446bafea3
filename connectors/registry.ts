// Every connector Ebb ships, by id. Adding a vendor = a folder under connectors/ plus one line here:
// the Worker's routes, jobs and vendor table are built from this, and the contract suite
// (tests/contract/) runs against every entry's sandbox.
import type { AnyConnector } from "./connector.ts";
import { hubspot } from "./hubspot/index.ts";
import { salesforce } from "./salesforce/index.ts";
import { zendesk } from "./zendesk/index.ts";

export const CONNECTORS = { hubspot, zendesk, salesforce } as const satisfies Record<
  string,
  AnyConnector
>;

/** A set of connectors by id: the shipped ones, or (in a test) those plus a test vendor. */
export type Registry = Readonly<Record<string, AnyConnector>>;
