// A local HTTP emulator of the Salesforce REST API subset Ebb uses, built from Salesforce's REST API
// Developer Guide and the OAuth 2.0 web server flow: authorize (PKCE, S256) and token (authorization
// code, refresh with rotation: a refresh token used twice revokes every token of the install), the
// userinfo endpoint, `query` and `queryAll` (SOQL, 2,000-row batches with nextRecordsUrl, deleted rows
// in queryAll only), describe, `limits`, sObject Collections update and upsert by external id (≤ 200
// records, allOrNone, per-record results); Salesforce's error bodies (`[{message, errorCode}]`:
// INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED, MALFORMED_QUERY, INVALID_FIELD, …); a rolling 24-hour
// API allocation reported in `Sforce-Limit-Info` on every answer; switchable faults; and a log of
// every call. jsforce talks to it unchanged: only the login URL differs.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Condition,
  conditionFields,
  matches,
  parseSoql,
  type Query,
  SoqlError,
} from "./soql.ts";
import { CHILDREN, OrgState, PARENTS, type Row } from "./state.ts";

export const API_VERSION = "62.0";

export type FaultKind =
  | "expire_session"
  | "request_limit"
  /** ConcurrentPerOrgLongTxn: too many long-running requests at once (transient). */
  | "concurrent_limit"
  | "server_error"
  | "malformed"
  | "rotate_tokens";

export interface Fault {
  kind: FaultKind;
  /** 1-based number of the first API call it hits. */
  atCall: number;
  count?: number;
}

export interface SalesforceSandboxOptions {
  state?: OrgState;
  /** The org's daily API allocation (Enterprise: 100,000 + 1,000 per licence). */
  dailyAllocation?: number;
  /** Calls other integrations made in the last 24 hours (they share the allocation). */
  usedByOthers?: number;
  faults?: Fault[];
  now?: () => number;
  /** Largest query batch (Salesforce: 2,000). */
  maxBatch?: number;
}

export interface SalesforceSandbox {
  url: string;
  state: OrgState;
  token: string;
  refreshToken: string;
  faults: Fault[];
  /** Refreshes that presented a refresh token already rotated away (which revoked everything). */
  staleRefreshes: number;
  refreshes: number;
  /** The org's allocation and what has been used of it in the last 24 hours. */
  allocation: { max: number; usedByOthers: number; used(): number };
  /** Calls to /services/data (the ones the allocation counts). */
  callCount(): number;
  close(): Promise<void>;
}

export const SANDBOX_CLIENT = { id: "3MVG9Ebb.sandbox", secret: "sandbox-consumer-secret" };

type Json = Record<string, unknown>;
const DAY_MS = 86_400_000;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
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

/**
 * How Salesforce refuses a call for each injected fault (REST API Developer Guide, "Status Codes and
 * Error Responses"; the two limits share REQUEST_LIMIT_EXCEEDED and differ in the message).
 */
const REFUSALS: Record<
  "request_limit" | "concurrent_limit" | "server_error",
  [number, string, string]
> = {
  request_limit: [403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."],
  concurrent_limit: [403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."],
  server_error: [503, "SERVER_UNAVAILABLE", "Server temporarily unavailable"],
};

const sfError = (errorCode: string, message: string, fields?: string[]) => [
  { message, errorCode, ...(fields ? { fields } : {}) },
];

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startSalesforceSandbox(
  options: SalesforceSandboxOptions = {},
): Promise<SalesforceSandbox> {
  const state = options.state ?? new OrgState();
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 2000;
  const access = new Set<string>();
  const liveRefresh = new Set<string>();
  const rotated = new Set<string>();
  const codes = new Map<string, { challenge: string | null; redirect: string }>();
  const apiCalls: number[] = [];
  const locators = new Map<string, { rows: Json[]; at: number }>();
  let callNo = 0;
  let locatorNo = 0;
  /** The records as seeded, for a reset. */
  const seeded = new Map([...state.objects].map(([k, t]) => [k, structuredClone(t)]));
  const issue = () => {
    const a = `00DEb!${randomBytes(24).toString("base64url")}`;
    const r = `5Aep861${randomBytes(24).toString("base64url")}`;
    access.add(a);
    liveRefresh.add(r);
    return { a, r };
  };
  const first = issue();
  const sandbox: SalesforceSandbox = {
    url: "",
    state,
    token: first.a,
    refreshToken: first.r,
    faults: options.faults ?? [],
    staleRefreshes: 0,
    refreshes: 0,
    allocation: {
      max: options.dailyAllocation ?? 100_000,
      usedByOthers: options.usedByOthers ?? 0,
      used() {
        const t = now();
        while (apiCalls.length && (apiCalls[0] ?? 0) <= t - DAY_MS) apiCalls.shift();
        return apiCalls.length + this.usedByOthers;
      },
    },
    callCount: () => callNo,
    close: async () => {},
  };
  const limitHeader = () => ({
    "Sforce-Limit-Info": `api-usage=${sandbox.allocation.used()}/${sandbox.allocation.max}`,
  });

  const tokenAnswer = (t: { a: string; r: string }, withRefresh: boolean) => ({
    access_token: t.a,
    ...(withRefresh ? { refresh_token: t.r } : {}),
    signature: randomBytes(32).toString("base64"),
    scope: "api refresh_token",
    instance_url: sandbox.url,
    id: `${sandbox.url}/id/${state.orgId}/005Eb0000000001AAA`,
    token_type: "Bearer",
    issued_at: String(now()),
  });

  function oauthToken(raw: string): { status: number; body: unknown } {
    const b = Object.fromEntries(new URLSearchParams(raw));
    const bad = (error: string, description: string, status = 400) => ({
      status,
      body: { error, error_description: description },
    });
    if (b.client_id !== SANDBOX_CLIENT.id)
      return bad("invalid_client_id", "client identifier invalid");
    if (b.client_secret !== SANDBOX_CLIENT.secret)
      return bad("invalid_client", "invalid client credentials");
    if (b.grant_type === "authorization_code") {
      const c = codes.get(b.code ?? "");
      if (!c) return bad("invalid_grant", "invalid authorization code");
      codes.delete(b.code ?? "");
      if (b.redirect_uri !== c.redirect)
        return bad("redirect_uri_mismatch", "redirect_uri must match configuration");
      if (c.challenge !== null) {
        const v = b.code_verifier ?? "";
        const got = createHash("sha256").update(v).digest("base64url");
        if (got !== c.challenge) return bad("invalid_grant", "invalid code verifier");
      }
      return { status: 200, body: tokenAnswer(issue(), true) };
    }
    if (b.grant_type === "refresh_token") {
      const r = b.refresh_token ?? "";
      if (!liveRefresh.has(r)) {
        // Refresh token rotation: a rotated-away token presented again revokes the whole family.
        if (rotated.has(r)) {
          sandbox.staleRefreshes++;
          liveRefresh.clear();
          access.clear();
        }
        return bad("invalid_grant", "expired access/refresh token");
      }
      liveRefresh.delete(r);
      rotated.add(r);
      sandbox.refreshes++;
      return { status: 200, body: tokenAnswer(issue(), true) };
    }
    return bad("unsupported_grant_type", "grant type not supported");
  }

  // --- SOQL over the org's records ---------------------------------------------------------------

  const fieldsOf = (object: string) => {
    const f = state.fields.get(object);
    if (!f) throw new ApiError(400, "INVALID_TYPE", `sObject type '${object}' is not supported.`);
    return f;
  };
  /** A field path's value on a row: own fields, or a parent's through its relationship. */
  function resolve(object: string, row: Row, path: string): unknown {
    const parts = path.split(".");
    if (parts.length === 1) {
      const own = [...fieldsOf(object).keys()].find((k) => k.toLowerCase() === path.toLowerCase());
      if (!own)
        throw new ApiError(400, "INVALID_FIELD", `No such column '${path}' on entity '${object}'.`);
      return row[own] ?? null;
    }
    const [rel, ...rest] = parts;
    const parent = PARENTS[object]?.[rel ?? ""];
    if (!parent)
      throw new ApiError(
        400,
        "INVALID_FIELD",
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
      );
    const pid = row[parent.field] as string | null;
    const prow = pid ? state.table(parent.object).get(pid) : undefined;
    return prow ? resolve(parent.object, prow, rest.join(".")) : null;
  }

  function sortRows(object: string, rows: Row[], q: Query) {
    if (q.orderBy.length === 0) return rows;
    return rows.sort((a, b) => {
      for (const o of q.orderBy) {
        const x = resolve(object, a, o.path);
        const y = resolve(object, b, o.path);
        if (x === y) continue;
        if (x == null) return o.nullsLast ? 1 : -1;
        if (y == null) return o.nullsLast ? -1 : 1;
        const c = (x as string | number) < (y as string | number) ? -1 : 1;
        return o.desc ? -c : c;
      }
      return 0;
    });
  }

  function project(object: string, row: Row, q: Query): Json {
    const out: Json = {
      attributes: {
        type: object,
        url: `/services/data/v${API_VERSION}/sobjects/${object}/${row.Id}`,
      },
    };
    for (const f of q.fields) {
      if (f.kind === "sub") {
        const child = CHILDREN[object]?.[f.query.from];
        if (!child)
          throw new ApiError(
            400,
            "INVALID_TYPE",
            `Didn't understand relationship '${f.query.from}' in FROM part of query call.`,
          );
        const rows = select(child.object, f.query, false, (r) => r[child.field] === row.Id);
        out[f.query.from] = rows.length
          ? { totalSize: rows.length, done: true, records: rows }
          : null;
        continue;
      }
      const parts = f.path.split(".");
      if (parts.length === 1) {
        const own = [...fieldsOf(object).keys()].find(
          (k) => k.toLowerCase() === f.path.toLowerCase(),
        );
        if (!own)
          throw new ApiError(
            400,
            "INVALID_FIELD",
            `No such column '${f.path}' on entity '${object}'.`,
          );
        out[own] = row[own] ?? null;
        continue;
      }
      // A parent field: nested as the relationship's record (null when there is no parent).
      const [rel, leaf] = parts as [string, string];
      const parent = PARENTS[object]?.[rel];
      if (!parent || parts.length !== 2)
        throw new ApiError(
          400,
          "INVALID_FIELD",
          `Didn't understand relationship '${rel}' in field path.`,
        );
      const pid = row[parent.field] as string | null;
      const prow = pid ? state.table(parent.object).get(pid) : undefined;
      if (!prow) {
        out[rel] = null;
        continue;
      }
      const existing = (out[rel] as Json | undefined) ?? {
        attributes: {
          type: parent.object,
          url: `/services/data/v${API_VERSION}/sobjects/${parent.object}/${prow.Id}`,
        },
      };
      existing[leaf] = resolve(parent.object, prow, leaf);
      out[rel] = existing;
    }
    return out;
  }

  function select(object: string, q: Query, all: boolean, extra?: (r: Row) => boolean): Json[] {
    fieldsOf(object);
    // Every field the query names must exist, whether or not any row matches.
    for (const f of conditionFields(q.where)) resolveCheck(object, f);
    for (const o of q.orderBy) resolveCheck(object, o.path);
    let rows = [...state.table(object).values()].filter(
      (r) =>
        (all || !r.IsDeleted) &&
        (!extra || extra(r)) &&
        (!q.where || matches(q.where as Condition, (p) => resolve(object, r, p))),
    );
    rows = sortRows(object, rows, q);
    if (q.limit !== undefined) rows = rows.slice(0, q.limit);
    return rows.map((r) => project(object, r, q));
  }
  function resolveCheck(object: string, path: string) {
    const probe = {
      Id: "",
      IsDeleted: false,
      SystemModstamp: "",
      CreatedDate: "",
      LastModifiedDate: "",
    };
    resolve(object, probe as Row, path);
  }

  /**
   * Rows a query answer holds: `Sforce-Query-Options: batchSize=n`, 200 to 2,000, 2,000 by default
   * (REST API Developer Guide, "Query Options Header"); a test may lower the most.
   */
  function batchOf(headers: IncomingMessage["headers"]): number {
    const opt = /batchSize=(\d+)/i.exec(String(headers["sforce-query-options"] ?? ""));
    return Math.min(maxBatch, Math.max(200, opt ? Number(opt[1]) : 2000));
  }

  function runQuery(soql: string, all: boolean, batch: number): Json {
    let q: Query;
    try {
      q = parseSoql(soql);
    } catch (e) {
      if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
      throw e;
    }
    const rows = select(q.from, q, all);
    return page(rows, 0, batch);
  }
  function page(rows: Json[], offset: number, batch: number): Json {
    const records = rows.slice(offset, offset + batch);
    const done = offset + batch >= rows.length;
    const out: Json = { totalSize: rows.length, done, records };
    if (!done) {
      const id = `01gEb${String(++locatorNo).padStart(10, "0")}AAA`;
      locators.set(id, { rows, at: now() });
      out.nextRecordsUrl = `/services/data/v${API_VERSION}/query/${id}-${offset + batch}`;
    }
    return out;
  }

  // --- sObject Collections ----------------------------------------------------------------------

  function collection(method: string, path: string, raw: string): unknown {
    let b: { allOrNone?: boolean; records?: Json[] };
    try {
      b = JSON.parse(raw) as typeof b;
    } catch {
      throw new ApiError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON.");
    }
    const records = b.records;
    if (!Array.isArray(records)) throw new ApiError(400, "INVALID_FIELD", "records is required.");
    // sObject Collections: at most 200 records a call (REST API Developer Guide, "sObject Collections").
    if (records.length > 200)
      throw new ApiError(
        400,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
      );
    const upsert = /^\/services\/data\/v[\d.]+\/composite\/sobjects\/(\w+)\/(\w+)$/.exec(path);
    const results: Json[] = [];
    const snapshot = new Map<string, Map<string, Row>>();
    const fail = (statusCode: string, message: string, fields: string[] = []) => ({
      success: false,
      errors: [{ statusCode, message, fields }],
    });
    for (const r of records) {
      const type = (r.attributes as { type?: string } | undefined)?.type ?? upsert?.[1];
      if (!type || !state.fields.has(type)) {
        results.push(fail("INVALID_TYPE", `sObject type '${type}' is not supported.`));
        continue;
      }
      const fields = fieldsOf(type);
      if (b.allOrNone && !snapshot.has(type))
        snapshot.set(type, new Map([...state.table(type)].map(([k, v]) => [k, { ...v }])));
      const { attributes: _a, id, Id, ...values } = r as Json & { id?: string; Id?: string };
      const unknown = Object.keys(values).find((k) => !fields.has(k));
      if (unknown) {
        results.push(
          fail("INVALID_FIELD", `No such column '${unknown}' on sobject of type ${type}`, [
            unknown,
          ]),
        );
        continue;
      }
      const locked = Object.keys(values).find((k) => fields.get(k)?.updateable === false);
      if (locked) {
        results.push(
          fail("INVALID_FIELD_FOR_INSERT_UPDATE", `Unable to create/update fields: ${locked}.`, [
            locked,
          ]),
        );
        continue;
      }
      if (method === "PATCH" && !upsert) {
        const target = (id ?? Id) as string | undefined;
        const row = target ? state.table(type).get(target) : undefined;
        if (!row) results.push(fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"));
        else if (row.IsDeleted) results.push(fail("ENTITY_IS_DELETED", "entity is deleted"));
        else {
          state.update(type, row.Id, values, now());
          results.push({ id: row.Id, success: true, errors: [] });
        }
        continue;
      }
      if (upsert) {
        const key = upsert[2] as string;
        const info = fields.get(key);
        if (!info?.externalId)
          throw new ApiError(
            404,
            "NOT_FOUND",
            `Provided external ID field does not exist or is not accessible: ${key}`,
          );
        const value = values[key];
        if (typeof value !== "string" || value === "") {
          results.push(fail("MISSING_ARGUMENT", `${key} not specified`, [key]));
          continue;
        }
        const found = [...state.table(type).values()].filter(
          (x) => !x.IsDeleted && x[key] === value,
        );
        if (found.length > 1) {
          results.push(
            fail("DUPLICATE_EXTERNAL_ID", `Duplicate external id specified: ${value}`, [key]),
          );
          continue;
        }
        const existing = found[0];
        if (existing) {
          state.update(type, existing.Id, values, now());
          results.push({ id: existing.Id, success: true, errors: [], created: false });
        } else {
          const nid = state.insert(type, values, now());
          results.push({ id: nid, success: true, errors: [], created: true });
        }
      }
    }
    // allOrNone: one failure rolls every record of the call back.
    if (b.allOrNone && results.some((r) => r.success === false)) {
      for (const [type, rows] of snapshot) {
        const t = state.table(type);
        t.clear();
        for (const [k, v] of rows) t.set(k, v);
      }
      return results.map((r) =>
        r.success === false
          ? r
          : {
              id: r.id,
              success: false,
              errors: [
                {
                  statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                  message:
                    "Record rolled back because not all records were valid and the request was using AllOrNone header",
                  fields: [],
                },
              ],
            },
      );
    }
    return results;
  }

  function describe(object: string): Json {
    const f = fieldsOf(object);
    return {
      name: object,
      label: object,
      queryable: true,
      updateable: true,
      fields: [...f.values()].map((x) => ({
        name: x.name,
        label: x.label,
        type: x.type,
        custom: x.name.endsWith("__c"),
        updateable: x.updateable,
        createable: x.updateable,
        externalId: x.externalId ?? false,
        unique: x.unique ?? false,
        nillable: x.name !== "Id",
      })),
    };
  }

  function api(
    method: string,
    path: string,
    url: URL,
    raw: string,
    headers: IncomingMessage["headers"],
  ): unknown {
    const base = `/services/data/v${API_VERSION}`;
    const v = /^\/services\/data\/v([\d.]+)(\/.*)?$/.exec(path);
    if (!v) throw new ApiError(404, "NOT_FOUND", "The requested resource does not exist");
    const rest = v[2] ?? "";
    if (method === "GET" && rest === "/limits")
      return {
        DailyApiRequests: {
          Max: sandbox.allocation.max,
          Remaining: sandbox.allocation.max - sandbox.allocation.used(),
        },
      };
    if (method === "GET" && (rest === "/query" || rest === "/queryAll")) {
      const soql = url.searchParams.get("q");
      if (!soql) throw new ApiError(400, "MALFORMED_QUERY", "A query string is required (q)");
      const batch = batchOf(headers);
      const call = state.calls.at(-1);
      if (call) call.soql = soql;
      return runQuery(soql, rest === "/queryAll", batch);
    }
    const more = /^\/(?:query|queryAll)\/(01g\w+)-(\d+)$/.exec(rest);
    if (method === "GET" && more) {
      const loc = locators.get(more[1] as string);
      // A query cursor lapses after 15 minutes unused (SOQL and SOSL Reference, "query locator").
      if (!loc || now() - loc.at > 15 * 60_000)
        throw new ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      loc.at = now();
      const offset = Number(more[2]);
      const batch = batchOf(headers);
      return page(loc.rows, offset, batch);
    }
    const desc = /^\/sobjects\/(\w+)\/describe$/.exec(rest);
    if (method === "GET" && desc) return describe(desc[1] as string);
    if ((method === "PATCH" || method === "POST") && rest.startsWith("/composite/sobjects"))
      return collection(method, `${base}${rest}`, raw);
    throw new ApiError(404, "NOT_FOUND", "The requested resource does not exist");
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const call = { method, path, query: url.search, status: 0, at: now() };
    const record = (status: number) => {
      call.status = status;
    };
    state.calls.push(call);
    try {
      if (method === "GET" && path === "/services/oauth2/authorize") {
        const q = url.searchParams;
        const redirect = q.get("redirect_uri");
        if (
          q.get("client_id") !== SANDBOX_CLIENT.id ||
          !redirect ||
          q.get("response_type") !== "code"
        ) {
          record(400);
          return send(res, 400, {
            error: "invalid_request",
            error_description: "unknown client, response type or no redirect_uri",
          });
        }
        const challenge = q.get("code_challenge");
        if (challenge && q.get("code_challenge_method") !== "S256") {
          record(400);
          return send(res, 400, {
            error: "invalid_request",
            error_description: "code_challenge_method must be S256",
          });
        }
        // The admin approves at once (an org where the app is pre-authorized).
        const code = `aPrx${randomBytes(12).toString("hex")}`;
        codes.set(code, { challenge, redirect });
        const back = new URL(redirect);
        back.searchParams.set("code", code);
        const st = q.get("state");
        if (st !== null) back.searchParams.set("state", st);
        record(302);
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (method === "POST" && path === "/services/oauth2/token") {
        const r = oauthToken(raw);
        record(r.status);
        return send(res, r.status, r.body);
      }
      if (path.startsWith("/__sandbox/")) return control(res, path, method, raw);
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
      if (method === "GET" && path === "/services/oauth2/userinfo") {
        if (!bearer || !access.has(bearer)) {
          record(403);
          return send(res, 403, "Bad_OAuth_Token", { "content-type": "text/plain" });
        }
        record(200);
        return send(res, 200, {
          sub: `${sandbox.url}/id/${state.orgId}/005Eb0000000001AAA`,
          user_id: "005Eb0000000001AAA",
          organization_id: state.orgId,
          preferred_username: "admin@acme.example",
          email: "admin@acme.example",
          name: "Acme Admin",
        });
      }
      if (!path.startsWith("/services/data")) {
        record(404);
        return send(res, 404, sfError("NOT_FOUND", "The requested resource does not exist"));
      }
      callNo++;
      // Faults first (an injected failure is as the vendor would answer it).
      for (const f of sandbox.faults) {
        const end = f.atCall + (f.count ?? 1);
        if (callNo < f.atCall || callNo >= end) continue;
        if (f.kind === "expire_session") {
          access.clear();
          f.count = 0;
        } else if (f.kind === "rotate_tokens") {
          access.delete(bearer ?? "");
          f.count = 0;
        } else if (f.kind !== "malformed") {
          const [status, code, message] = REFUSALS[f.kind];
          record(status);
          return send(res, status, sfError(code, message), limitHeader());
        }
      }
      if (!bearer || !access.has(bearer)) {
        record(401);
        return send(res, 401, sfError("INVALID_SESSION_ID", "Session expired or invalid"));
      }
      if (sandbox.allocation.used() >= sandbox.allocation.max) {
        record(403);
        return send(
          res,
          403,
          sfError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
          limitHeader(),
        );
      }
      apiCalls.push(now());
      const body = api(method, path, url, raw, req.headers);
      const malformed = sandbox.faults.find(
        (f) => f.kind === "malformed" && callNo >= f.atCall && callNo < f.atCall + (f.count ?? 1),
      );
      record(200);
      if (malformed) return send(res, 200, JSON.stringify(body).slice(0, 40), limitHeader());
      return send(res, 200, body, limitHeader());
    } catch (e) {
      if (e instanceof ApiError) {
        record(e.status);
        return send(res, e.status, sfError(e.errorCode, e.message), limitHeader());
      }
      record(500);
      return send(res, 500, sfError("UNKNOWN_EXCEPTION", (e as Error).message));
    }
  });

  function control(res: ServerResponse, path: string, method: string, raw: string) {
    if (path === "/__sandbox/faults" && method === "POST") {
      const f = JSON.parse(raw || "{}") as Partial<Fault> & { afterCalls?: number };
      if (!f.kind) return send(res, 400, { error: "fault needs a kind" });
      sandbox.faults.push({
        kind: f.kind,
        atCall: callNo + 1 + (f.afterCalls ?? 0),
        count: f.count ?? 1,
      });
      return send(res, 200, { faults: sandbox.faults.length });
    }
    if (path === "/__sandbox/calls" && method === "GET")
      return send(res, 200, { calls: state.calls });
    // Records made in the org's own UI (not through the API, so not counted): `atMs` stamps them.
    if (path === "/__sandbox/insert" && method === "POST") {
      const b = JSON.parse(raw || "{}") as {
        object?: string;
        records?: Record<string, unknown>[];
        atMs?: number;
      };
      if (!b.object || !state.fields.has(b.object) || !Array.isArray(b.records))
        return send(res, 400, { error: "insert needs an object and records" });
      const ids = b.records.map((r) =>
        state.insert(
          b.object as string,
          r,
          b.atMs ?? now(),
          Number(r.CreatedDateMs ?? b.atMs ?? now()),
        ),
      );
      return send(res, 200, { ids });
    }
    // Become another org holding the same customers as first seeded (`reset`: its records as
    // they were at start, none of Ebb's writes): a second install for a test.
    if (path === "/__sandbox/org" && method === "POST") {
      const o = JSON.parse(raw || "{}") as { orgId?: string; reset?: boolean };
      if (!o.orgId || !/^00D\w{15}$/.test(o.orgId))
        return send(res, 400, { error: "orgId must be an 18-character org id (00D…)" });
      state.orgId = o.orgId;
      if (o.reset)
        for (const [object, rows] of seeded) {
          const t = state.table(object);
          t.clear();
          for (const [id, row] of rows) t.set(id, structuredClone(row));
        }
      return send(res, 200, { orgId: state.orgId });
    }
    if (path === "/__sandbox/allocation" && method === "POST") {
      const a = JSON.parse(raw || "{}") as { max?: number; usedByOthers?: number };
      if (a.max !== undefined) sandbox.allocation.max = a.max;
      if (a.usedByOthers !== undefined) sandbox.allocation.usedByOthers = a.usedByOthers;
      return send(res, 200, { max: sandbox.allocation.max, used: sandbox.allocation.used() });
    }
    const acct = /^\/__sandbox\/accounts\/(\w+)$/.exec(path);
    if (acct && method === "GET") {
      const row = state.table("Account").get(acct[1] as string);
      if (!row) return send(res, 404, { error: "no such account" });
      const tasks = [...state.table("Task").values()].filter(
        (t) => t.WhatId === row.Id && !t.IsDeleted,
      );
      return send(res, 200, { account: row, tasks });
    }
    if (path === "/__sandbox/accounts" && method === "GET")
      return send(res, 200, { accounts: [...state.table("Account").values()] });
    return send(res, 404, { error: "no such sandbox control" });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sandbox.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    });
  return sandbox;
}
