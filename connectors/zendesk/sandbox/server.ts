// A local HTTP emulator of the Zendesk Support API subset Ebb uses, built from Zendesk's reference:
// OAuth tokens with rotating refresh, the incremental exports (cursor-based for tickets with metric
// sets and for users, time-based for organizations, 1,000 items a page, the last minute excluded),
// users by id, the current user, organization fields, update_many as a background job polled through
// job_statuses, organization tags; the plan's requests per minute and the exports' 10 per minute with
// Retry-After on 429; switchable faults; and a log of every call. node-zendesk talks to it unchanged:
// only the base URL differs.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { signZendeskWebhook } from "../verify.ts";
import { agentPage, ZAF_SDK_STUB } from "./agent.ts";
import { AccountState, iso, type Stamped } from "./state.ts";

export type FaultKind = "rate_limit" | "server_error" | "malformed" | "rotate_tokens" | "slow";

export interface Fault {
  kind: FaultKind;
  /** 1-based number of the first API call it hits. */
  atCall: number;
  /** Consecutive calls it hits (default 1). */
  count?: number;
  /** Only calls whose path contains this. */
  pathIncludes?: string;
  delayMs?: number;
}

/** What `deliver` sends: a ticket's change (through Ebb's trigger) or an organization or user event. */
export type Delivery = { ticket: number; status?: string } | { event: string; id: number };

export interface ZendeskSandboxOptions {
  state?: AccountState;
  /** The plan's requests per minute (Zendesk: 200 to 2,500; default 700, Professional). */
  requestsPerMinute?: number;
  /** Incremental export requests per minute (Zendesk: 10). */
  exportsPerMinute?: number;
  /** Largest export page (Zendesk: 1,000). */
  maxPageSize?: number;
  /** Access token lifetime in seconds. */
  tokenTtlS?: number;
  /** How long an update_many job takes before it completes (ms). */
  jobMs?: number;
  faults?: Fault[];
  now?: () => number;
  /** The account's subdomain, as the signed app loads name it (default "acme"). */
  subdomain?: string;
}

export interface ZendeskSandbox {
  url: string;
  state: AccountState;
  /** A valid access token, and its refresh token, for tests that skip the install. */
  token: string;
  refreshToken: string;
  faults: Fault[];
  /** 429s a client caused by going over the limits (not injected ones). */
  limitHits: number;
  /** Refreshes that presented a refresh token already rotated away (a refresh race). */
  staleRefreshes: number;
  refreshes: number;
  /** The Ebb app's public key (PEM) for its signed URLs: what Zendesk shows a developer. */
  appPublicKey: string;
  subdomain: string;
  /** Send the webhook deliveries Zendesk would for a change; the statuses Ebb answered. */
  deliver(d: Delivery): Promise<number[]>;
  callCount(): number;
  close(): Promise<void>;
}

export const SANDBOX_CLIENT = { id: "zdg-ebb-sandbox", secret: "sandbox-client-secret" };

type Json = Record<string, unknown>;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Sliding one-minute windows of arrivals. */
function minuteWindow(max: number) {
  const times: number[] = [];
  return {
    admit(t: number): number {
      while (times.length && (times[0] ?? 0) <= t - 60_000) times.shift();
      if (times.length >= max) return Math.max(1, Math.ceil(((times[0] ?? t) + 60_000 - t) / 1000));
      times.push(t);
      return 0;
    },
    remaining: () => Math.max(0, max - times.length),
  };
}

const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString("base64url");
function decodeCursor(c: string): number | undefined {
  const m = /^seq:(\d+)$/.exec(Buffer.from(c, "base64url").toString("utf8"));
  return m ? Number(m[1]) : undefined;
}

export async function startZendeskSandbox(
  options: ZendeskSandboxOptions = {},
): Promise<ZendeskSandbox> {
  const state = options.state ?? new AccountState();
  const now = options.now ?? Date.now;
  const maxPage = options.maxPageSize ?? 1000;
  const plan = minuteWindow(options.requestsPerMinute ?? 700);
  const exports = minuteWindow(options.exportsPerMinute ?? 10);
  const ttl = options.tokenTtlS ?? 7200;
  const jobMs = options.jobMs ?? 300;
  let callNo = 0;
  /** Live access tokens → expiry (ms); the refresh token of each live pair. */
  const access = new Map<string, number>();
  const refresh = new Set<string>();
  const codes = new Set<string>(["sandbox-code"]);
  const issue = () => {
    const a = `zd-access-${randomBytes(12).toString("hex")}`;
    const r = `zd-refresh-${randomBytes(12).toString("hex")}`;
    access.set(a, now() + ttl * 1000);
    refresh.add(r);
    return { a, r };
  };
  const first = issue();
  const subdomain = options.subdomain ?? "acme";
  const appKeys = await generateKeyPair("RS256", { extractable: true });
  const sandbox: ZendeskSandbox = {
    appPublicKey: await exportSPKI(appKeys.publicKey),
    subdomain,
    deliver: async () => [],
    url: "",
    state,
    token: first.a,
    refreshToken: first.r,
    faults: options.faults ?? [],
    limitHits: 0,
    staleRefreshes: 0,
    refreshes: 0,
    callCount: () => callNo,
    close: async () => {},
  };
  const rotated = new Set<string>();

  const error = (
    res: ServerResponse,
    status: number,
    err: string,
    description: string,
    headers: Record<string, string> = {},
  ) => send(res, status, { error: err, description }, headers);

  const oauth = (res: ServerResponse, raw: string, record: (s: number) => void) => {
    let b: Json;
    try {
      b = raw.trim().startsWith("{")
        ? (JSON.parse(raw) as Json)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      record(400);
      return send(res, 400, {
        error: "invalid_request",
        error_description: "The body is not JSON",
      });
    }
    if (b.client_id !== SANDBOX_CLIENT.id || b.client_secret !== SANDBOX_CLIENT.secret) {
      record(401);
      return send(res, 401, {
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
    }
    if (b.grant_type === "authorization_code") {
      if (typeof b.code !== "string" || !codes.has(b.code)) {
        record(400);
        return send(res, 400, {
          error: "invalid_grant",
          error_description: "The authorization code is invalid or expired",
        });
      }
      codes.delete(b.code);
    } else if (b.grant_type === "refresh_token") {
      const r = String(b.refresh_token ?? "");
      if (!refresh.has(r)) {
        if (rotated.has(r)) sandbox.staleRefreshes++;
        record(400);
        return send(res, 400, {
          error: "invalid_grant",
          error_description: "The refresh token is invalid, expired or revoked",
        });
      }
      // Rotation: the old refresh token and every access token issued before it are deleted.
      refresh.delete(r);
      rotated.add(r);
      access.clear();
      sandbox.refreshes++;
    } else {
      record(400);
      return send(res, 400, {
        error: "unsupported_grant_type",
        error_description: "The grant type is not supported",
      });
    }
    const t = issue();
    record(200);
    return send(res, 200, {
      access_token: t.a,
      token_type: "bearer",
      scope: "read write",
      refresh_token: t.r,
      expires_in: ttl,
      refresh_token_expires_in: 30 * 86_400,
    });
  };

  /** Cursor-based export of `items` (tickets or users) in change order. */
  function cursorExport<T>(
    items: Map<number, Stamped<T>>,
    q: URLSearchParams,
    key: string,
    extra?: (page: T[]) => Json,
  ) {
    const perPage = Math.min(maxPage, Number(q.get("per_page") ?? 1000) || 1000);
    const cursor = q.get("cursor");
    const start = q.get("start_time");
    let after = 0;
    let since = 0;
    if (cursor) {
      const seq = decodeCursor(cursor);
      if (seq === undefined)
        return {
          status: 400,
          body: { error: "InvalidCursor", description: "The cursor is not valid" },
        };
      after = seq;
    } else if (start !== null && /^\d+$/.test(start)) since = Number(start);
    else
      return {
        status: 400,
        body: { error: "InvalidValue", description: "start_time or cursor is required" },
      };
    // Changes within the last minute are left for a later request.
    const cutoff = Math.floor(now() / 1000) - 60;
    const eligible = [...items.values()]
      .filter((s) => s.seq > after && s.updatedAt >= since)
      .sort((a, b) => a.seq - b.seq);
    const page: Stamped<T>[] = [];
    for (const s of eligible) {
      if (s.updatedAt > cutoff || page.length === perPage) break;
      page.push(s);
    }
    const last = page.at(-1)?.seq ?? after;
    const rest = eligible.filter((s) => s.seq > last && s.updatedAt <= cutoff).length;
    const data = page.map((s) => s.data);
    return {
      status: 200,
      body: {
        [key]: data,
        ...(extra ? extra(data) : {}),
        after_url: `${sandbox.url}/api/v2/incremental/${key}/cursor.json?cursor=${encodeCursor(last)}`,
        after_cursor: encodeCursor(last),
        before_url: null,
        before_cursor: null,
        end_of_stream: rest === 0,
      },
    };
  }

  /** Time-based organization export: from start_time (inclusive), whole seconds kept together. */
  function organizationExport(q: URLSearchParams) {
    const perPage = Math.min(maxPage, Number(q.get("per_page") ?? 1000) || 1000);
    const start = q.get("start_time");
    if (start === null || !/^\d+$/.test(start))
      return {
        status: 400,
        body: { error: "InvalidValue", description: "start_time is required" },
      };
    const since = Number(start);
    const cutoff = Math.floor(now() / 1000) - 60;
    if (since > cutoff)
      return {
        status: 400,
        body: {
          error: "InvalidValue",
          description: "Too recent start_time. Use a start_time older than 1 minute",
        },
      };
    const eligible = [...state.organizations.values()]
      .filter((s) => s.updatedAt >= since && s.updatedAt <= cutoff)
      .sort((a, b) => a.updatedAt - b.updatedAt || a.data.id - b.data.id);
    // Zendesk's reference (Incremental Exports, time-based): up to per_page items changed at or
    // after start_time, and the next page starts at this page's end_time, so the items of that
    // second come again (VENDORS.md: dedupe on id and updated_at). Where a page ends inside a
    // crowded second is not documented: the sandbox keeps a second's items on one page. A page
    // whose items all share the start second therefore repeats it; the client moves past it.
    let k = Math.min(perPage, eligible.length);
    const lastSecond = eligible[k - 1]?.updatedAt;
    while (k < eligible.length && eligible[k]?.updatedAt === lastSecond) k++;
    const page = eligible.slice(0, k);
    const end = page.at(-1)?.updatedAt ?? since;
    return {
      status: 200,
      body: {
        organizations: page.map((s) => s.data),
        count: page.length,
        end_time: end,
        next_page: `${sandbox.url}/api/v2/incremental/organizations.json?start_time=${end}`,
        end_of_stream: k === eligible.length,
      },
    };
  }

  function route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: Json,
  ): { status: number; body: unknown } {
    if (method === "GET" && path === "/api/v2/incremental/tickets/cursor.json") {
      const metrics = (q.get("include") ?? "").split(",").includes("metric_sets");
      return cursorExport(
        state.tickets,
        q,
        "tickets",
        metrics
          ? (page) => ({ metric_sets: page.map((t) => state.metrics.get(t.id)).filter(Boolean) })
          : undefined,
      );
    }
    if (method === "GET" && path === "/api/v2/incremental/users/cursor.json")
      return cursorExport(state.users, q, "users");
    if (method === "GET" && path === "/api/v2/incremental/organizations.json")
      return organizationExport(q);
    if (method === "GET" && path === "/api/v2/organizations/show_many.json") {
      const ids = (q.get("ids") ?? "").split(",").filter(Boolean).map(Number);
      if (ids.length > 100)
        return { status: 400, body: { error: "InvalidValue", description: "At most 100 ids" } };
      const found = ids
        .map((id) => state.organizations.get(id)?.data)
        .filter((o) => o && !o.deleted_at);
      return { status: 200, body: { organizations: found } };
    }
    if (method === "GET" && path === "/api/v2/users/show_many.json") {
      const ids = (q.get("ids") ?? "").split(",").filter(Boolean).map(Number);
      if (ids.length > 100)
        return { status: 400, body: { error: "InvalidValue", description: "At most 100 ids" } };
      return {
        status: 200,
        body: { users: ids.map((id) => state.users.get(id)?.data).filter(Boolean) },
      };
    }
    if (method === "GET" && path === "/api/v2/users/me.json") {
      const admin = [...state.users.values()].find((u) => u.data.role === "admin");
      return {
        status: 200,
        body: { user: admin?.data ?? { id: 1, email: "admin@sandbox.example", role: "admin" } },
      };
    }
    if (path === "/api/v2/organization_fields.json") {
      if (method === "GET")
        return {
          status: 200,
          body: {
            organization_fields: state.organizationFields,
            next_page: null,
            count: state.organizationFields.length,
          },
        };
      if (method === "POST") {
        const f = (body.organization_field ?? {}) as Json;
        const key = String(f.key ?? "");
        const details: Json = {};
        if (!/^[a-z0-9_]+$/.test(key)) details.key = [{ description: "Key is invalid" }];
        else if (state.organizationFields.some((x) => x.key === key))
          details.key = [{ description: "Key has already been taken" }];
        if (
          ![
            "text",
            "textarea",
            "checkbox",
            "date",
            "integer",
            "decimal",
            "regexp",
            "dropdown",
            "lookup",
          ].includes(String(f.type))
        )
          details.type = [{ description: "Type is invalid" }];
        if (!f.title) details.title = [{ description: "Title cannot be blank" }];
        if (Object.keys(details).length > 0)
          return {
            status: 422,
            body: { error: "RecordInvalid", description: "Record validation errors", details },
          };
        const field = {
          id: state.newId(),
          key,
          title: String(f.title),
          type: String(f.type),
          description: String(f.description ?? ""),
          active: true,
        };
        state.organizationFields.push(field);
        return { status: 201, body: { organization_field: field } };
      }
    }
    if (method === "PUT" && path === "/api/v2/organizations/update_many.json") {
      const orgs = body.organizations;
      if (!Array.isArray(orgs))
        return {
          status: 400,
          body: { error: "InvalidValue", description: "organizations is required" },
        };
      if (orgs.length > 100)
        return {
          status: 400,
          body: { error: "TooManyValues", description: "Maximum of 100 organizations" },
        };
      const results: NonNullable<ReturnType<typeof state.jobs.get>>["results"] = [];
      const second = Math.floor(now() / 1000);
      for (const raw of orgs as Json[]) {
        const id = Number(raw.id);
        const o = state.organizations.get(id);
        if (!o || o.data.deleted_at) {
          results.push({
            id,
            action: "update",
            success: false,
            error: "OrganizationNotFound",
            details: `Organization ${raw.id} not found`,
          });
          continue;
        }
        const fields = (raw.organization_fields ?? {}) as Json;
        const unknown = Object.keys(fields).filter((k) => !state.fieldType(k));
        if (unknown.length > 0) {
          results.push({
            id,
            action: "update",
            success: false,
            error: "RecordInvalid",
            details: `Unknown organization field ${unknown.join(", ")}`,
          });
          continue;
        }
        const bad = Object.entries(fields).find(
          ([k, v]) => v !== null && state.fieldType(k) === "integer" && !/^-?\d+$/.test(String(v)),
        );
        if (bad) {
          results.push({
            id,
            action: "update",
            success: false,
            error: "RecordInvalid",
            details: `${bad[0]} is not a number`,
          });
          continue;
        }
        Object.assign(o.data.organization_fields, fields);
        state.put(state.organizations, id, o.data, second);
        results.push({ id, action: "update", success: true, status: "Updated" });
      }
      const job = {
        id: randomBytes(16).toString("hex"),
        total: orgs.length,
        doneAt: now() + jobMs,
        results,
      };
      state.jobs.set(job.id, job);
      return { status: 200, body: { job_status: jobView(job) } };
    }
    const jobMatch = /^\/api\/v2\/job_statuses\/([a-f0-9]+)\.json$/.exec(path);
    if (method === "GET" && jobMatch) {
      const job = state.jobs.get(jobMatch[1] ?? "");
      if (!job) return { status: 404, body: { error: "RecordNotFound", description: "Not found" } };
      return { status: 200, body: { job_status: jobView(job) } };
    }
    const tagMatch = /^\/api\/v2\/organizations\/(\d+)\/tags\.json$/.exec(path);
    if (
      tagMatch &&
      (method === "PUT" || method === "DELETE" || method === "POST" || method === "GET")
    ) {
      const o = state.organizations.get(Number(tagMatch[1]));
      if (!o || o.data.deleted_at)
        return { status: 404, body: { error: "RecordNotFound", description: "Not found" } };
      const tags = Array.isArray(body.tags) ? (body.tags as unknown[]).map(String) : [];
      if (method !== "GET" && tags.length === 0)
        return { status: 400, body: { error: "InvalidValue", description: "tags is required" } };
      // POST replaces every tag; PUT adds; DELETE removes.
      if (method === "POST") o.data.tags = [...new Set(tags)];
      if (method === "PUT") o.data.tags = [...new Set([...o.data.tags, ...tags])];
      if (method === "DELETE") o.data.tags = o.data.tags.filter((t) => !tags.includes(t));
      if (method !== "GET")
        state.put(state.organizations, o.data.id, o.data, Math.floor(now() / 1000));
      return { status: 200, body: { tags: o.data.tags } };
    }
    if (path === "/api/v2/webhooks") {
      if (method === "GET") {
        const contains = q.get("filter[name_contains]") ?? "";
        const list = state.webhooks
          .filter((w) => w.name.includes(contains))
          .map(({ secret: _s, ...w }) => w);
        return { status: 200, body: { webhooks: list, meta: { has_more: false }, links: {} } };
      }
      if (method === "POST") {
        const w = (body.webhook ?? {}) as Record<string, unknown>;
        const errors: { code: string; title: string; detail: string }[] = [];
        if (!w.name)
          errors.push({ code: "InvalidValue", title: "Invalid value", detail: "name is required" });
        const endpoint = String(w.endpoint ?? "");
        if (!/^https?:\/\//.test(endpoint))
          errors.push({
            code: "InvalidValue",
            title: "Invalid value",
            detail: "endpoint must be a URL",
          });
        if (!["GET", "POST", "PUT", "PATCH", "DELETE"].includes(String(w.http_method)))
          errors.push({
            code: "InvalidValue",
            title: "Invalid value",
            detail: "http_method is invalid",
          });
        const subs = Array.isArray(w.subscriptions) ? w.subscriptions.map(String) : [];
        // A webhook either subscribes to Zendesk events or is connected to triggers, not both.
        if (subs.includes("conditional_ticket_events") && subs.length > 1)
          errors.push({
            code: "InvalidValue",
            title: "Invalid value",
            detail: "conditional_ticket_events cannot be combined with event types",
          });
        if (
          subs.some(
            (x) =>
              x !== "conditional_ticket_events" && !/^zen:event-type:[a-z_]+\.[a-z_]+$/.test(x),
          )
        )
          errors.push({
            code: "InvalidValue",
            title: "Invalid value",
            detail: "unknown subscription",
          });
        if (errors.length > 0) return { status: 400, body: { errors } };
        const hook = {
          id: `01${randomBytes(12).toString("hex").toUpperCase()}`,
          name: String(w.name),
          endpoint,
          subscriptions: subs,
          http_method: String(w.http_method),
          request_format: String(w.request_format ?? "json"),
          status: String(w.status ?? "active"),
          secret: randomBytes(24).toString("base64"),
          created_at: iso(Math.floor(now() / 1000)),
        };
        state.webhooks.push(hook);
        const { secret: _s, ...shown } = hook;
        return { status: 201, body: { webhook: shown } };
      }
    }
    const secretMatch = /^\/api\/v2\/webhooks\/([A-Z0-9]+)\/signing_secret$/.exec(path);
    if (method === "GET" && secretMatch) {
      const hook = state.webhooks.find((w) => w.id === secretMatch[1]);
      if (!hook)
        return {
          status: 404,
          body: {
            errors: [{ code: "WebhookNotFound", title: "Not found", detail: "Webhook not found" }],
          },
        };
      return {
        status: 200,
        body: { signing_secret: { algorithm: "SHA256", secret: hook.secret } },
      };
    }
    if (method === "GET" && path === "/api/v2/triggers/search.json") {
      const query = (q.get("query") ?? "").toLowerCase();
      if (!query)
        return { status: 400, body: { error: "InvalidValue", description: "query is required" } };
      const found = state.triggers.filter((t) => t.title.toLowerCase().includes(query));
      return { status: 200, body: { triggers: found, next_page: null, count: found.length } };
    }
    if (path === "/api/v2/triggers.json") {
      if (method === "GET")
        return {
          status: 200,
          body: { triggers: state.triggers, next_page: null, count: state.triggers.length },
        };
      if (method === "POST") {
        const t = (body.trigger ?? {}) as Record<string, unknown>;
        const actions = Array.isArray(t.actions)
          ? (t.actions as { field: string; value: unknown }[])
          : [];
        const hook = actions.find((a) => a.field === "notification_webhook");
        const value = hook?.value;
        const target = Array.isArray(value)
          ? state.webhooks.find((w) => w.id === value[0])
          : undefined;
        if (
          !t.title ||
          !t.conditions ||
          actions.length === 0 ||
          (hook && !target?.subscriptions.includes("conditional_ticket_events"))
        )
          return {
            status: 422,
            body: {
              error: "RecordInvalid",
              description: "Record validation errors",
              details: { base: [{ description: "Invalid trigger" }] },
            },
          };
        const trigger = {
          id: state.newId(),
          title: String(t.title),
          active: true,
          conditions: t.conditions,
          actions,
        };
        state.triggers.push(trigger);
        return { status: 201, body: { trigger } };
      }
    }
    return { status: 404, body: { error: "InvalidEndpoint", description: "Not found" } };
  }

  function jobView(job: NonNullable<ReturnType<typeof state.jobs.get>>) {
    const done = now() >= job.doneAt;
    return {
      id: job.id,
      job_type: "Bulk Update Organizations",
      url: `${sandbox.url}/api/v2/job_statuses/${job.id}.json`,
      total: job.total,
      progress: done ? job.total : 0,
      status: done ? "completed" : "queued",
      message: done ? `Completed at ${iso(Math.floor(job.doneAt / 1000))}` : null,
      results: done ? job.results : null,
    };
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const raw = await readBody(req);
    const path = url.pathname;
    const method = req.method ?? "GET";
    const query = url.search.slice(1);
    const marketplace = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => k.startsWith("x-zendesk-marketplace-"))
        .map(([k, v]) => [k, String(v)]),
    );
    const record = (status: number) =>
      state.calls.push({
        method,
        path,
        ...(query ? { query } : {}),
        status,
        at: now(),
        ...(Object.keys(marketplace).length > 0 ? { marketplace } : {}),
      });

    if (method === "POST" && path === "/oauth/tokens") return oauth(res, raw, record);
    // The consent page, approved at once (the admin said yes): back to the app with a code.
    if (method === "GET" && path === "/oauth/authorizations/new") {
      const redirect = url.searchParams.get("redirect_uri");
      if (url.searchParams.get("client_id") !== SANDBOX_CLIENT.id || !redirect) {
        record(400);
        return send(res, 400, {
          error: "invalid_request",
          error_description: "Unknown client or no redirect_uri",
        });
      }
      const code = `code-${randomBytes(8).toString("hex")}`;
      codes.add(code);
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      record(302);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (path.startsWith("/__sandbox/")) return control(res, path, method, raw);
    // The agent's view of a ticket or an organization with the Ebb app in its sidebar, and the ZAF
    // SDK stand-in the app's page talks to it through (not Zendesk's API: not counted or limited).
    if (method === "GET" && path === "/zaf_sdk.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      return res.end(ZAF_SDK_STUB);
    }
    const agent = /^\/agent\/(tickets|organizations)\/(\d+)$/.exec(path);
    if (method === "GET" && agent) {
      const app = url.searchParams.get("app");
      if (!app) return send(res, 400, { error: "the agent page needs ?app=<Ebb sidebar URL>" });
      const token = await new SignJWT({ context: { product: "support" } })
        .setProtectedHeader({ alg: "RS256", typ: "JWT" })
        .setIssuer(`${subdomain}.zendesk.com`)
        .setAudience(`https://${subdomain}.zendesk.com/api/v2/apps/installations/360000001.json`)
        .setSubject("9001")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(appKeys.privateKey);
      const id = Number(agent[2]);
      const page = agentPage({
        kind: agent[1] as "tickets" | "organizations",
        id,
        state,
        app,
        token,
      });
      if (!page) return send(res, 404, { error: "RecordNotFound", description: "Not found" });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(page);
    }
    callNo++;
    for (const f of sandbox.faults) {
      const hit =
        callNo >= f.atCall &&
        callNo < f.atCall + (f.count ?? 1) &&
        (!f.pathIncludes || path.includes(f.pathIncludes));
      if (!hit) continue;
      if (f.kind === "slow") await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
      if (f.kind === "rate_limit") {
        record(429);
        return error(
          res,
          429,
          "APIRateLimitExceeded",
          "Number of allowed API requests per minute exceeded",
          { "retry-after": "1" },
        );
      }
      if (f.kind === "server_error") {
        record(503);
        return error(res, 503, "ServiceUnavailable", "Zendesk is temporarily unavailable");
      }
      if (f.kind === "malformed") {
        record(200);
        return send(res, 200, '{"tickets": [{"id": 1, "status": ');
      }
      // Another client refreshed this connection's tokens: the ones in hand stop working.
      if (f.kind === "rotate_tokens") access.clear();
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const expiry = auth ? access.get(auth) : undefined;
    if (expiry === undefined || expiry <= now()) {
      record(401);
      return send(res, 401, {
        error: "invalid_token",
        error_description:
          "The access token provided is expired, revoked, malformed or invalid for other reasons.",
      });
    }
    const t = now();
    const isExport = path.startsWith("/api/v2/incremental/");
    const wait = plan.admit(t) || (isExport ? exports.admit(t) : 0);
    if (wait > 0) {
      sandbox.limitHits++;
      record(429);
      return error(
        res,
        429,
        "APIRateLimitExceeded",
        isExport
          ? "Incremental export requests are limited to 10 per minute"
          : "Number of allowed API requests per minute exceeded",
        { "retry-after": String(wait) },
      );
    }
    let body: Json = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        record(400);
        return error(res, 400, "InvalidJSON", "The request body is not valid JSON");
      }
    }
    const out = route(method, path, url.searchParams, body);
    record(out.status);
    send(res, out.status, out.body, { "x-rate-limit-remaining": String(plan.remaining()) });
  };

  function control(res: ServerResponse, path: string, method: string, raw: string) {
    if (path === "/__sandbox/faults" && method === "POST") {
      const f = JSON.parse(raw || "{}") as Partial<Fault> & { afterCalls?: number };
      if (!f.kind) return send(res, 400, { error: "fault needs a kind" });
      sandbox.faults.push({ ...f, kind: f.kind, atCall: callNo + 1 + (f.afterCalls ?? 0) });
      return send(res, 200, { faults: sandbox.faults.length });
    }
    if (path === "/__sandbox/faults" && method === "DELETE") {
      sandbox.faults.length = 0;
      return send(res, 200, { faults: 0 });
    }
    if (path === "/__sandbox/calls" && method === "GET")
      return send(res, 200, { calls: state.calls, limitHits: sandbox.limitHits, count: callNo });
    if (path === "/__sandbox/webhooks" && method === "GET")
      return send(res, 200, { webhooks: state.webhooks, triggers: state.triggers });
    if (path === "/__sandbox/deliver" && method === "POST") {
      const d = JSON.parse(raw || "{}") as Delivery;
      deliver(d).then(
        (statuses) => send(res, 200, { statuses }),
        (e: unknown) => send(res, 502, { error: (e as Error).message }),
      );
      return;
    }
    if (path === "/__sandbox/organizations" && method === "GET")
      return send(res, 200, {
        organizations: [...state.organizations.values()].map((o) => o.data),
      });
    if (path === "/__sandbox/code" && method === "POST") {
      const code = `code-${randomBytes(8).toString("hex")}`;
      codes.add(code);
      return send(res, 200, { code });
    }
    return send(res, 404, { error: `no sandbox control route ${method} ${path}` });
  }

  /**
   * Deliver what Zendesk would: a ticket's change through Ebb's trigger to its webhook (the body
   * the trigger defines, placeholders filled in), or an organization or user event to the webhooks
   * subscribed to it; each signed with its webhook's secret. Resolves with the answers' statuses.
   */
  async function deliver(d: Delivery): Promise<number[]> {
    const at = iso(Math.floor(now() / 1000));
    const out: { hook: (typeof state.webhooks)[number]; body: string }[] = [];
    if ("ticket" in d) {
      const t = state.tickets.get(d.ticket)?.data;
      if (!t) throw new Error(`no ticket ${d.ticket}`);
      for (const trigger of state.triggers) {
        const action = trigger.actions.find((a) => a.field === "notification_webhook");
        const [hookId, template] = (action?.value ?? []) as [string, string];
        const hook = state.webhooks.find((w) => w.id === hookId);
        if (!hook) continue;
        const body = String(template)
          .replaceAll("{{ticket.id}}", String(t.id))
          .replaceAll("{{ticket.status}}", d.status ?? t.status)
          .replaceAll("{{ticket.updated_at_with_timestamp}}", t.updated_at);
        out.push({ hook, body });
      }
    } else {
      const type = `zen:event-type:${d.event}`;
      const [object] = d.event.split(".");
      for (const hook of state.webhooks.filter((w) => w.subscriptions.includes(type)))
        out.push({
          hook,
          body: JSON.stringify({
            type,
            account_id: 10973248,
            id: randomBytes(16).toString("hex"),
            time: at,
            zendesk_event_version: "2022-06-20",
            subject: `zen:${object}:${d.id}`,
            detail: { id: String(d.id) },
            event: {},
          }),
        });
    }
    const statuses: number[] = [];
    for (const { hook, body } of out) {
      const signature = await signZendeskWebhook(hook.secret, at, body);
      const res = await fetch(hook.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-zendesk-account-id": "10973248",
          "x-zendesk-webhook-id": hook.id,
          "x-zendesk-webhook-invocation-id": String(Date.now()),
          "x-zendesk-webhook-signature": signature,
          "x-zendesk-webhook-signature-timestamp": at,
        },
        body,
      });
      statuses.push(res.status);
    }
    return statuses;
  }
  sandbox.deliver = deliver;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        error(res, 500, "InternalError", `sandbox failure: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  sandbox.url = `http://127.0.0.1:${port}`;
  server.keepAliveTimeout = 1000;
  sandbox.close = () =>
    new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return sandbox;
}
