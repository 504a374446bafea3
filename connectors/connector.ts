// The contract every vendor connector fills (types only): pull, push, install, verify. A connector
// never sees Env, D1 or Queues; it gets a context and returns data.
import type { HealthSnapshot, Portfolio, Task } from "../core/model.ts";
import type { RequestBudget } from "./limits.ts";

/** What a connector is handed for one invocation. */
export interface ConnectorContext {
  /** Vendor API base URL: the vendor's own in production, a sandbox in tests and the demo. */
  baseUrl: string;
  /** Returns a valid access token (the connection gate refreshes it, single-flight). */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** The connection's request budget, shared across invocations (a Durable Object in the Worker). */
  budget: RequestBudget;
  /** Milliseconds since the epoch; injected so tests control time. */
  now(): number;
  log(event: string, fields?: Record<string, unknown>): void;
}

/** Normalized records, as a pull produces them; a page holds any mix. */
export interface RecordBatch extends Portfolio {
  /** Vendor records deleted or merged away since the last page: (kind, id) to remove. */
  deleted: { kind: "accounts" | "stakeholders" | "tickets" | "engagements"; id: string }[];
}

/**
 * A vendor's notice that a record changed (a webhook event): remembered until a sync has read past
 * it; a deletion names the normalized record to remove at once.
 */
export interface ChangeMark {
  eventId: string;
  vendor: string;
  objectType: string;
  objectId: string;
  change: string;
  /** Milliseconds since the epoch. */
  occurredAt: number;
  deleted?: RecordBatch["deleted"][number];
}

/** One page of a pull: records plus the cursor to resume from after storing them. */
export interface PullPage<Cursor> {
  records: RecordBatch;
  cursor: Cursor;
  /** True when the pull has reached the end for now. */
  done: boolean;
}

/** What Ebb wants written back for one account. */
export interface AccountChange {
  /** The vendor's id of the account (company, account or organization). */
  externalId: string;
  snapshot: HealthSnapshot;
  /** The vendor's owner id for new tasks (the account owner). */
  ownerId?: string;
  tasks: Task[];
  /** Field values written last time (the store keeps them); only differences are written. */
  lastWritten?: Record<string, string>;
}

export interface PushResult {
  /** Calls that wrote something. */
  writeCalls: number;
  updatedRecords: number;
  tasksCreated: number;
  tasksCompleted: number;
  /** Per-record failures that did not stop the rest. */
  failures: { externalId: string; message: string }[];
  /** Field values now in the vendor, per external id, for the store to remember. */
  written: Record<string, Record<string, string>>;
}

export interface Connector<Cursor, Settings> {
  id: string;
  /** Pull from a saved cursor (undefined: from the beginning); yields pages until done. */
  pull(
    ctx: ConnectorContext,
    settings: Settings,
    cursor: Cursor | undefined,
  ): AsyncGenerator<PullPage<Cursor>>;
  /** Write fields and tasks, only what changed, idempotently. */
  push(ctx: ConnectorContext, settings: Settings, changes: AccountChange[]): Promise<PushResult>;
}
