// The one contract every vendor connector fills (types only): what the vendor is (id, label, settings,
// configuration, limits), how Ebb is installed there (OAuth, identity, one-time setup), how its calls
// to Ebb are verified (webhooks, in-vendor view requests), pull, push, the in-vendor view, and its
// sandbox. The Worker's routes, jobs and vendor table are built from the registry of these; a
// connector never sees Env, D1 or Queues: it gets a context and returns data.
import type { z } from "zod";
import type {
  Band,
  HealthSnapshot,
  Portfolio,
  Priority,
  SignalKey,
  Task,
  Trend,
} from "../core/model.ts";
import type { AllowanceRule, RequestBudget, WindowLimit } from "./limits.ts";
import type { Tokens } from "./tokens.ts";

/** What a connector is handed for one invocation. */
export interface ConnectorContext {
  /** Vendor API base URL: the vendor's own in production, a sandbox in tests and the demo. */
  baseUrl: string;
  /**
   * Returns a valid access token (the connection gate refreshes it, single-flight). After a 401,
   * `forceRefresh` with the `rejected` token refreshes only if no one has replaced that token yet,
   * so calls that failed together cause one refresh.
   */
  accessToken(options?: { forceRefresh?: boolean; rejected?: string }): Promise<string>;
  /** The connection's request budget, shared across invocations (a Durable Object in the Worker). */
  budget: RequestBudget;
  /** Milliseconds since the epoch; injected so tests control time. */
  now(): number;
  log(event: string, fields?: Record<string, unknown>): void;
  /** Headers the vendor wants on every call from this app (Zendesk's marketplace headers). */
  headers?: Record<string, string>;
  /** Ebb's public address, for what the vendor calls back (webhook endpoints set up at install). */
  publicUrl?: string;
  /** The install's key (the connection's vendor account: a portal, a subdomain). */
  installId?: string;
  /**
   * The install's own API address when the vendor names it in its token answer (Salesforce's
   * `instance_url`): calls go there instead of `baseUrl`, which is then the login address.
   */
  instanceUrl?(): Promise<string | undefined>;
}

/** Normalized records, as a pull produces them; a page holds any mix. */
export interface RecordBatch extends Portfolio {
  /** Vendor records deleted or merged away since the last page: (kind, id) to remove. */
  deleted: { kind: "accounts" | "stakeholders" | "tickets" | "engagements"; id: string }[];
  /**
   * Vendor accounts merged into another (a company merge): the vendor's records of `from` move to
   * `into` (whose vendor id is `intoExternalId`), and `from` is gone from this vendor.
   */
  merged?: { from: string; into: string; intoExternalId: string }[];
}

/**
 * A vendor's notice that a record changed (a webhook event): remembered until a sync has read past
 * it; a deletion or a merge names what to remove or move at once.
 */
export interface ChangeMark {
  eventId: string;
  vendor: string;
  objectType: string;
  objectId: string;
  change: string;
  /** Milliseconds since the epoch. */
  occurredAt: number;
  /** Records to remove at once (a deletion, a privacy deletion, the losers of a merge). */
  deleted?: RecordBatch["deleted"];
  /** Accounts merged into another, applied at once. */
  merged?: NonNullable<RecordBatch["merged"]>;
}

/** One page of a pull: records plus the cursor to resume from after storing them. */
export interface PullPage<Cursor> {
  records: RecordBatch;
  cursor: Cursor;
  /** True when the pull has reached the end for now. */
  done: boolean;
  /**
   * What the vendor refuses this connection as things stand (a 403: a scope or permission the
   * install lacks), each with the vendor's reason: the pull goes on without it and tries it again
   * on later passes. Every page carries the whole current list; empty or absent when nothing is.
   */
  refused?: { objectType: string; reason: string }[];
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
  /** The day the customer churned: the fields say so instead of showing the last band. */
  churnedAt?: string;
  /** Daily scores, oldest first, when the connector asks for them (`pushSeriesDays`). */
  series?: { day: string; score: number }[];
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

/**
 * One deployment's app in a vendor: the connector's configuration (its client id and secret, its
 * API and OAuth base URLs), read by the Worker from its environment under the names the connector's
 * `config` schema declares, and the OAuth callback the Worker serves for this vendor.
 */
export interface VendorApp<Config> {
  config: Config;
  /** `{PUBLIC_URL}/oauth/{vendor id}/callback`. */
  redirectUri: string;
}

/** Who an install is: the vendor's key for the tenant (portal, org, subdomain) and the installer. */
export interface InstallIdentity {
  externalId: string;
  tenantName: string;
  user?: string | undefined;
}

/** A request from the vendor to the Worker, as signed: method, full URL, headers, raw body. */
export interface VendorRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  body: string;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Installing Ebb in the vendor: OAuth authorization code flow, the install's identity, setup. */
export interface ConnectorInstall<Config> {
  /**
   * When each install of the vendor lives at its own address (a Zendesk account's subdomain): the
   * query parameter the install start takes it from and how it is checked. Every call below then
   * gets that `site`, and the connection keeps it.
   */
  site?: { param: string; label: string; schema: z.ZodType<string> };
  /**
   * Whether the authorization code flow uses PKCE (RFC 7636, S256): the Worker derives a verifier
   * from the single-use state with a key of its own, sends its challenge with the consent URL and
   * the verifier with the code exchange.
   */
  pkce?: boolean;
  /** Where to send the admin to consent, carrying the single-use `state` the callback checks. */
  authorizeUrl(
    app: VendorApp<Config>,
    state: string,
    site?: string,
    codeChallenge?: string,
  ): string;
  exchangeCode(
    app: VendorApp<Config>,
    code: string,
    now: number,
    site?: string,
    codeVerifier?: string,
  ): Promise<Tokens>;
  refresh(
    app: VendorApp<Config>,
    refreshToken: string,
    now: number,
    site?: string,
  ): Promise<Tokens>;
  /** The install's identity, from its first tokens. */
  identify(app: VendorApp<Config>, tokens: Tokens, site?: string): Promise<InstallIdentity>;
  /** Tokens are refreshed this long before they expire. */
  refreshAheadMs: number;
  /** One-time setup in the vendor (custom fields, properties), idempotent; run before the first sync. */
  setup(ctx: ConnectorContext): Promise<unknown>;
}

/** Webhook deliveries: change marks per tenant, from a verified body. */
export interface ConnectorWebhooks {
  /** A body larger than this is refused before it is read. */
  maxBytes: number;
  /**
   * The delivery's events as change marks, grouped by the install they name; or what is wrong.
   * `install` is the install the Worker already resolved (a `perConnection` vendor's delivery).
   */
  parse(
    body: unknown,
    install?: string,
  ):
    | { ok: true; installs: { externalId: string; marks: ChangeMark[] }[] }
    | { ok: false; message: string };
  /**
   * Deliveries signed with a secret of the connection's own (Zendesk generates one per webhook;
   * setup returns them as `webhookSecrets` and the connection's gate keeps them sealed): which
   * install a delivery is for (from its URL, as setup registered it) and which secret signs it.
   */
  perConnection?: {
    install(request: VendorRequest): string | undefined;
    secretName(request: VendorRequest): string | undefined;
  };
}

/** What a connector's one-time setup may hand back for the Worker to keep. */
export interface SetupResult {
  /** Webhook signing secrets by the vendor's webhook id, kept sealed in the connection's gate. */
  webhookSecrets?: Record<string, string>;
}

/**
 * Ebb's answer about one account, the same for every vendor: each connector maps it to its own UI
 * (a HubSpot card, a Zendesk sidebar, a Lightning component).
 */
export interface AccountView {
  accountId: string;
  name: string;
  owner: { id?: string | undefined; email?: string | undefined };
  score: number;
  band: Band;
  trend: Trend;
  coverage: number;
  /** The day of the latest score. */
  scoredAt: string;
  /** The signals pulling the score down, strongest first (at most three), with their evidence. */
  reasons: {
    key: SignalKey;
    label: string;
    risk: number;
    evidence: string;
    evidenceIds?: string[];
  }[];
  /** Daily scores, oldest first, at most 90. */
  series: { day: string; score: number }[];
  openTasks: { dedupeKey: string; title: string; dueAt: string; priority: Priority }[];
}

/**
 * An in-vendor view that is a page Ebb serves (Zendesk's sidebar app): the vendor opens it with a
 * signed POST (`POST /{vendor id}/{path}`), after which the page asks for its data with Ebb's own
 * short-lived session, bound to the install the signed load named.
 */
export interface ViewSession<Config> {
  /** Check the vendor's signed page load (its form fields); the install it names, and who. */
  verifyLoad(
    app: VendorApp<Config>,
    form: Record<string, string>,
    now: number,
  ): Promise<{ ok: true; externalId: string; user?: string } | { ok: false; reason: string }>;
  /** The page, given Ebb's session for it and where its data is. */
  page(p: {
    session: string;
    dataPath: string;
    externalId: string;
    nonce: string;
    app: VendorApp<Config>;
  }): string;
  /** Content-Security-Policy sources the page needs beyond itself (the vendor's SDK, its frame). */
  scriptSources: (app: VendorApp<Config>) => string[];
  frameAncestors: (app: VendorApp<Config>) => string[];
}

/** The in-vendor view: `GET /{vendor id}/{path}`, verified, answered from the tenant's store. */
export interface ConnectorView {
  path: string;
  /** The install (tenant key) and the vendor's record id the request names; or what is wrong. */
  target(
    query: Record<string, string>,
  ): { ok: true; externalId: string; recordId: string } | { ok: false; message: string };
  /** The vendor UI's answer for a record: `view` is null when Ebb has not scored it. */
  render(recordId: string, view: AccountView | null): unknown;
}

/** What the shared contract suite needs from a connector's sandbox (a local Node server). */
export interface SandboxHarness {
  ctx: ConnectorContext;
  /** The vendor id of the first account, for pushes. */
  firstAccountId: string;
  /** Make the next `count` API calls fail with `kind`. */
  inject(kind: "rate_limit" | "malformed", count: number): void;
  calls(): { status: number; path: string }[];
  /** The status of the vendor's transient throttle (429 unless said: Salesforce's is a 403). */
  throttleStatus?: number;
  /** How many tasks exist in the vendor. */
  taskCount(): number;
  token: string;
  close(): Promise<void>;
}

export interface Connector<Cursor, Settings, Config = unknown> {
  id: string;
  /** The vendor's name as people read it ("HubSpot"). */
  label: string;
  /**
   * Where a person opens an account's record in the vendor's own UI, from the install's id there
   * (portal, subdomain, org) and the record's id.
   */
  recordUrl?(install: string, recordId: string): string;
  /** The connection's settings, every field defaulted (an empty object parses). */
  settings: z.ZodType<Settings>;
  /**
   * The connector's configuration from the Worker's environment, keyed by variable name: secrets
   * without defaults (documented in .dev.vars.example), URLs with the vendor's own as defaults.
   */
  config: z.ZodType<Config>;
  /** Names in `config` that are secrets (`wrangler secret put`), never vars. */
  secrets: readonly string[];
  /** The vendor's rate limits by kind of call; the connection gate books slots against them. */
  limits: Record<string, WindowLimit> & { default: WindowLimit };
  /** The vendor API's base URL for this app and install site (the sandbox's in tests and the demo). */
  apiBaseUrl(app: VendorApp<Config>, site?: string): string;
  /** Headers every call to the vendor carries for this app (`ConnectorContext.headers`). */
  callHeaders?(app: VendorApp<Config>): Record<string, string>;
  /** Whether push writes tasks into the vendor (a CRM does; Zendesk has none: fields and a tag). */
  writesTasks: boolean;
  /** Days of each account's score series push wants in its changes (a card that draws a trend). */
  pushSeriesDays?: number;
  /**
   * A share of an allocation the vendor counts for the whole customer (Salesforce's daily API
   * requests, shared with every integration): the connection gate keeps Ebb's calls within it and
   * pauses the connection when it is spent.
   */
  allowance?(app: VendorApp<Config>): AllowanceRule;
  /**
   * A help desk, where tickets live first-hand (Zendesk). While one is connected, its tickets are
   * the tenant's tickets unless an admin chooses otherwise: a CRM's copies (HubSpot's Zendesk
   * integration copies every ticket) are left out, so no ticket counts twice.
   */
  helpDesk?: boolean;
  /** Pull from a saved cursor (undefined: from the beginning); yields pages until done. */
  pull(
    ctx: ConnectorContext,
    settings: Settings,
    cursor: Cursor | undefined,
  ): AsyncGenerator<PullPage<Cursor>>;
  /** Write fields and tasks, only what changed, idempotently. */
  push(ctx: ConnectorContext, settings: Settings, changes: AccountChange[]): Promise<PushResult>;
  install: ConnectorInstall<Config>;
  /**
   * Check the vendor's signature on a webhook or view request, in constant time; `secret` is the
   * connection's own for a `perConnection` webhook delivery.
   */
  verify(
    app: VendorApp<Config>,
    request: VendorRequest,
    now: number,
    secret?: string,
  ): Promise<VerifyResult>;
  webhooks?: ConnectorWebhooks;
  view?: ConnectorView;
  /** When the view is a page Ebb serves, opened by a signed load: how (`view` answers its data). */
  viewSession?: ViewSession<Config>;
  /** The sandbox harness, loaded only when asked for (Node only: never part of the Worker). */
  sandbox(): Promise<{ startHarness(p: Portfolio): Promise<SandboxHarness> }>;
}

/** Any connector, whatever its cursor, settings and configuration types. */
// biome-ignore lint/suspicious/noExplicitAny: each vendor has its own cursor, settings and config.
export type AnyConnector = Connector<any, any, any>;
