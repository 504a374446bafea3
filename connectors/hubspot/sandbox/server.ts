// A local HTTP emulator of the HubSpot API subset Ebb uses, with HubSpot's paths, payload shapes and
// limits (110 requests per 10 s, search 5 per second, 200 per search page, 10,000 results per
// query), switchable faults, and a log of every call. The official SDK talks to it unchanged; only
// `basePath` differs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OBJECT_TYPES, type ObjectType, PortalState, type StoredObject } from "./state.ts";

export type FaultKind = "rate_limit" | "server_error" | "malformed" | "slow" | "expire_token";

export interface Fault {
  kind: FaultKind;
  /** 1-based number of the first API call it hits. */
  atCall: number;
  /** How many consecutive calls it hits (default 1). */
  count?: number;
  /** For `slow`: delay in ms. */
  delayMs?: number;
  /** Only calls whose path contains this. */
  pathIncludes?: string;
}

export interface SandboxOptions {
  state?: PortalState;
  /** Requests per 10 s window (HubSpot: 110). */
  burstPer10s?: number;
  /** Search requests per second (HubSpot: 5). */
  searchPerSecond?: number;
  faults?: Fault[];
  /** Access tokens issued by the token endpoint live this long (HubSpot: 30 minutes). */
  tokenTtlMs?: number;
  clientId?: string;
  clientSecret?: string;
  now?: () => number;
  /** What the token-info endpoint reports (HubSpot's hub_id and installing user). */
  portalId?: number;
  user?: string;
}

export interface HubSpotSandbox {
  url: string;
  state: PortalState;
  /** A valid access token for tests that skip OAuth. */
  token: string;
  faults: Fault[];
  /** Calls refused with 429 because a client went over the limits (not injected faults). */
  limitHits: number;
  /** API calls so far (the numbering faults' `atCall` uses). */
  callCount(): number;
  close(): Promise<void>;
}

const SEARCH_MAX_RESULTS = 10_000;

export async function startHubSpotSandbox(options: SandboxOptions = {}): Promise<HubSpotSandbox> {
  const state = options.state ?? new PortalState();
  const now = options.now ?? Date.now;
  const burst = options.burstPer10s ?? 110;
  const searchRate = options.searchPerSecond ?? 5;
  const ttl = options.tokenTtlMs ?? 30 * 60_000;
  const tokens = new Map<string, number>();
  const refreshTokens = new Set<string>(["sandbox-refresh-token"]);
  const initial = "sandbox-token-0";
  tokens.set(initial, Number.POSITIVE_INFINITY);
  let issued = 0;
  const window: number[] = [];
  const searchWindow: number[] = [];
  let callNo = 0;
  const sandbox: HubSpotSandbox = {
    url: "",
    state,
    token: initial,
    faults: options.faults ?? [],
    limitHits: 0,
    callCount: () => callNo,
    close: async () => {},
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": "application/json;charset=utf-8", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  const error = (
    res: ServerResponse,
    status: number,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    send(
      res,
      status,
      {
        status: "error",
        message,
        correlationId: `sandbox-${callNo}`,
        category: extra.category ?? "VALIDATION_ERROR",
        ...extra,
      },
      headers,
    );

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const raw = await readBody(req);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const method = req.method ?? "GET";
    const record = (status: number) => state.calls.push({ method, path, status, at: now() });

    // The consent screen: the sandbox's admin always approves, and HubSpot sends the browser back
    // to the app with a code and the app's state.
    if (path === "/oauth/authorize" && method === "GET") {
      const back = url.searchParams.get("redirect_uri");
      record(back ? 302 : 400);
      if (!back) return error(res, 400, "missing redirect_uri");
      const to = new URL(back);
      to.searchParams.set("code", "sandbox-code");
      to.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: to.toString() });
      return res.end();
    }
    // Token metadata: which portal and user an access token belongs to.
    const info = /^\/oauth\/v1\/access-tokens\/([^/]+)$/.exec(path);
    if (info && method === "GET") {
      const expiry = tokens.get(decodeURIComponent(info[1] ?? ""));
      record(expiry === undefined ? 404 : 200);
      if (expiry === undefined) return error(res, 404, "token not found");
      return send(res, 200, {
        token: info[1],
        user: options.user ?? "admin@sandbox.example",
        hub_domain: "sandbox.example",
        scopes: ["oauth"],
        hub_id: options.portalId ?? 4_000_001,
        app_id: 1_000_001,
        expires_in: Math.max(0, Math.round((Math.min(expiry, now() + ttl) - now()) / 1000)),
        user_id: 9_001,
        token_type: "access",
      });
    }
    if (path.startsWith("/__sandbox/")) return control(req, res, path, method, raw);

    if (path === "/oauth/v1/token" && method === "POST") {
      const form = new URLSearchParams(raw);
      const okClient =
        form.get("client_id") === (options.clientId ?? "sandbox-client") &&
        form.get("client_secret") === (options.clientSecret ?? "sandbox-secret");
      const grant = form.get("grant_type");
      const valid =
        okClient &&
        ((grant === "authorization_code" && form.get("code") === "sandbox-code") ||
          (grant === "refresh_token" && refreshTokens.has(form.get("refresh_token") ?? "")));
      record(valid ? 200 : 400);
      if (!valid)
        return send(res, 400, {
          status: "BAD_REFRESH_TOKEN",
          message: "missing or unknown refresh token",
        });
      const token = `sandbox-token-${++issued}`;
      tokens.set(token, now() + ttl);
      return send(res, 200, {
        token_type: "bearer",
        access_token: token,
        refresh_token: "sandbox-refresh-token",
        expires_in: Math.round(ttl / 1000),
      });
    }

    callNo++;
    // Injected faults first: they model HubSpot misbehaving, whatever the client does.
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
          "You have reached your ten_secondly_rolling limit.",
          { errorType: "RATE_LIMIT", policyName: "TEN_SECONDLY_ROLLING", category: "RATE_LIMITS" },
          { "retry-after": "1" },
        );
      }
      if (f.kind === "server_error") {
        record(502);
        return error(res, 502, "Bad gateway", { category: "INTERNAL_ERROR" });
      }
      if (f.kind === "malformed") {
        record(200);
        return send(res, 200, '{"results": [{"id": "1", "properties": ');
      }
      if (f.kind === "expire_token") for (const t of tokens.keys()) tokens.set(t, 0);
    }

    const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    const expiry = tokens.get(token);
    if (expiry === undefined || expiry <= now()) {
      record(401);
      return error(
        res,
        401,
        "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
        { category: "INVALID_AUTHENTICATION" },
      );
    }

    // HubSpot's limits, enforced over a sliding window of arrivals.
    const t = now();
    while (window.length && (window[0] ?? 0) <= t - 10_000) window.shift();
    const isSearch = path.endsWith("/search");
    while (searchWindow.length && (searchWindow[0] ?? 0) <= t - 1000) searchWindow.shift();
    const limitHeaders = {
      "x-hubspot-ratelimit-max": String(burst),
      "x-hubspot-ratelimit-remaining": String(Math.max(0, burst - window.length - 1)),
      "x-hubspot-ratelimit-interval-milliseconds": "10000",
    };
    if (window.length >= burst || (isSearch && searchWindow.length >= searchRate)) {
      sandbox.limitHits++;
      record(429);
      const wait =
        isSearch && searchWindow.length >= searchRate
          ? (searchWindow[0] ?? t) + 1000 - t
          : (window[0] ?? t) + 10_000 - t;
      return error(
        res,
        429,
        "You have reached your secondly limit.",
        {
          errorType: "RATE_LIMIT",
          policyName: isSearch ? "SECONDLY" : "TEN_SECONDLY_ROLLING",
          category: "RATE_LIMITS",
        },
        { ...limitHeaders, "retry-after": String(Math.max(1, Math.ceil(wait / 1000))) },
      );
    }
    window.push(t);
    if (isSearch) searchWindow.push(t);

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        record(400);
        return error(res, 400, "Invalid input JSON");
      }
    }
    const result = route(state, method, path, url.searchParams, body, now);
    record(result.status);
    send(res, result.status, result.body, limitHeaders);
  };

  // Test control, for tests that cannot reach this process's memory (the Worker's tests run inside
  // workerd): faults, the call log, and the objects written.
  const control = (
    _req: IncomingMessage,
    res: ServerResponse,
    path: string,
    method: string,
    raw: string,
  ) => {
    if (path === "/__sandbox/faults" && method === "POST") {
      const f = JSON.parse(raw || "{}") as Partial<Fault> & { afterCalls?: number };
      if (!f.kind) return error(res, 400, "fault needs a kind");
      sandbox.faults.push({ ...f, kind: f.kind, atCall: callNo + 1 + (f.afterCalls ?? 0) });
      return send(res, 200, { faults: sandbox.faults.length });
    }
    if (path === "/__sandbox/faults" && method === "DELETE") {
      sandbox.faults.length = 0;
      return send(res, 200, { faults: 0 });
    }
    if (path === "/__sandbox/calls" && method === "GET")
      return send(res, 200, { calls: state.calls, limitHits: sandbox.limitHits, count: callNo });
    const objects = /^\/__sandbox\/objects\/([a-z]+)$/.exec(path);
    if (objects && method === "GET") {
      const type = objects[1] as ObjectType;
      if (!OBJECT_TYPES.includes(type)) return error(res, 404, `no object type ${type}`);
      return send(res, 200, { results: [...state.objects[type].values()] });
    }
    return error(res, 404, `no sandbox control route ${method} ${path}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        error(res, 500, `sandbox failure: ${(e as Error).message}`, { category: "INTERNAL_ERROR" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  sandbox.url = `http://127.0.0.1:${port}`;
  sandbox.close = () =>
    new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.keepAliveTimeout = 1000;
  return sandbox;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface Result {
  status: number;
  body: unknown;
}

function isType(t: string | undefined): t is ObjectType {
  return OBJECT_TYPES.includes(t as ObjectType);
}

function route(
  state: PortalState,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Record<string, unknown>,
  now: () => number,
): Result {
  const parts = path.split("/").filter(Boolean);
  // /crm/v3/objects/{type}/search
  if (
    method === "POST" &&
    parts[0] === "crm" &&
    parts[1] === "v3" &&
    parts[2] === "objects" &&
    parts[4] === "search" &&
    isType(parts[3])
  ) {
    return search(state, parts[3], body);
  }
  // /crm/v3/properties/{type}/groups, /crm/v3/properties/{type}[/{name}]
  if (parts[0] === "crm" && parts[1] === "v3" && parts[2] === "properties" && parts[3]) {
    const type = parts[3];
    if (method === "POST" && parts[4] === "groups") {
      const groups = state.propertyGroups.get(type) ?? new Set<string>();
      state.propertyGroups.set(type, groups);
      const name = String(body.name ?? "");
      if (!name)
        return {
          status: 400,
          body: { status: "error", message: "name is required", category: "VALIDATION_ERROR" },
        };
      if (groups.has(name))
        return {
          status: 409,
          body: {
            status: "error",
            message: `A property group named '${name}' already exists.`,
            category: "CONFLICT",
          },
        };
      groups.add(name);
      return {
        status: 201,
        body: { name, label: body.label ?? name, displayOrder: -1, archived: false },
      };
    }
    const defs = state.properties.get(type) ?? new Map<string, Record<string, unknown>>();
    state.properties.set(type, defs);
    if (method === "GET" && parts[4]) {
      const def = defs.get(parts[4]);
      return def
        ? { status: 200, body: def }
        : {
            status: 404,
            body: {
              status: "error",
              message: `Property ${parts[4]} does not exist`,
              category: "OBJECT_NOT_FOUND",
            },
          };
    }
    if (method === "POST" && !parts[4]) {
      const name = String(body.name ?? "");
      if (defs.has(name))
        return {
          status: 409,
          body: {
            status: "error",
            message: `Property named '${name}' already exists.`,
            category: "OBJECT_ALREADY_EXISTS",
          },
        };
      if (body.groupName && !state.propertyGroups.get(type)?.has(String(body.groupName))) {
        return {
          status: 400,
          body: {
            status: "error",
            message: `group ${String(body.groupName)} does not exist`,
            category: "VALIDATION_ERROR",
          },
        };
      }
      const stamp = new Date(now()).toISOString();
      const def = {
        ...body,
        createdAt: stamp,
        updatedAt: stamp,
        archived: false,
        hidden: false,
        formField: false,
        calculated: false,
        externalOptions: false,
        hasUniqueValue: false,
        options: body.options ?? [],
        modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
      };
      defs.set(name, def);
      return { status: 201, body: def };
    }
  }
  // /crm/v3/objects/{type}/batch/update and /batch/create
  if (
    method === "POST" &&
    parts[2] === "objects" &&
    parts[4] === "batch" &&
    (parts[5] === "update" || parts[5] === "create") &&
    isType(parts[3])
  ) {
    const type = parts[3];
    const inputs =
      (body.inputs as
        | {
            id?: string;
            properties: Record<string, string>;
            associations?: { to: { id: string }; types: { associationTypeId: number }[] }[];
          }[]
        | undefined) ?? [];
    if (inputs.length > 100)
      return {
        status: 400,
        body: { status: "error", message: "Batch size limit is 100", category: "VALIDATION_ERROR" },
      };
    const at = new Date(now());
    const stamp = at.toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      if (parts[5] === "update") {
        const o = state.update(type, String(input.id), input.properties, at);
        if (o) results.push(view(o, Object.keys(input.properties), []));
        else
          errors.push({
            status: "error",
            category: "OBJECT_NOT_FOUND",
            message: `Object ${input.id} not found`,
            context: { ids: [String(input.id)] },
          });
        continue;
      }
      const id = state.newId();
      const properties: Record<string, string | null> = {
        ...input.properties,
        hs_object_id: id,
        createdate: stamp,
        hs_lastmodifieddate: stamp,
      };
      const o: StoredObject = {
        id,
        properties,
        history: {},
        createdAt: stamp,
        updatedAt: stamp,
        archived: false,
      };
      state.put(type, o);
      for (const a of input.associations ?? []) {
        // 192: task → company; 204: task → contact.
        const toType = a.types.some((t) => t.associationTypeId === 192)
          ? "companies"
          : a.types.some((t) => t.associationTypeId === 204)
            ? "contacts"
            : undefined;
        if (toType) state.associate(type, id, toType, String(a.to.id));
      }
      results.push(view(o, Object.keys(input.properties), []));
    }
    const status = errors.length ? 207 : parts[5] === "create" ? 201 : 200;
    return {
      status,
      body: {
        status: "COMPLETE",
        results,
        ...(errors.length ? { errors, numErrors: errors.length } : {}),
        startedAt: stamp,
        completedAt: stamp,
      },
    };
  }
  // /crm/v3/objects/{type}/batch/read
  if (
    method === "POST" &&
    parts[2] === "objects" &&
    parts[4] === "batch" &&
    parts[5] === "read" &&
    isType(parts[3])
  ) {
    const inputs = (body.inputs as { id: string }[] | undefined) ?? [];
    if (inputs.length > 100)
      return {
        status: 400,
        body: { status: "error", message: "Batch size limit is 100", category: "VALIDATION_ERROR" },
      };
    const props = (body.properties as string[] | undefined) ?? [];
    const withHistory = (body.propertiesWithHistory as string[] | undefined) ?? [];
    const results = inputs.flatMap(({ id }) => {
      const o = state.objects[parts[3] as ObjectType].get(String(id));
      return o ? [view(o, props, withHistory)] : [];
    });
    const stamp = new Date(now()).toISOString();
    return {
      status: 200,
      body: { status: "COMPLETE", results, startedAt: stamp, completedAt: stamp },
    };
  }
  // /crm/v3/objects/{type}?archived=true
  if (method === "GET" && parts[2] === "objects" && parts.length === 4 && isType(parts[3])) {
    const limit = Math.min(100, Number(query.get("limit") ?? 10));
    const archived = query.get("archived") === "true";
    const all = [...state.objects[parts[3]].values()]
      .filter((o) => o.archived === archived)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const after = Number(query.get("after") ?? 0);
    const page = all.slice(after, after + limit);
    const props = (query.get("properties") ?? "").split(",").filter(Boolean);
    return {
      status: 200,
      body: {
        results: page.map((o) => view(o, props, [])),
        ...(after + limit < all.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      },
    };
  }
  // /crm/v4/associations/{from}/{to}/batch/read
  if (
    method === "POST" &&
    parts[0] === "crm" &&
    parts[1] === "v4" &&
    parts[2] === "associations" &&
    parts[5] === "batch" &&
    parts[6] === "read"
  ) {
    const inputs = (body.inputs as { id: string }[] | undefined) ?? [];
    if (inputs.length > 1000)
      return {
        status: 400,
        body: {
          status: "error",
          message: "Batch size limit is 1000",
          category: "VALIDATION_ERROR",
        },
      };
    const [from, to] = [parts[3] ?? "", parts[4] ?? ""];
    const results = inputs.flatMap(({ id }) => {
      const linked = state.associated(from, String(id), to);
      return linked.length
        ? [
            {
              from: { id: String(id) },
              to: linked.map((x) => ({
                toObjectId: Number(x),
                associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 1, label: null }],
              })),
            },
          ]
        : [];
    });
    const stamp = new Date(now()).toISOString();
    return {
      status: 200,
      body: { status: "COMPLETE", results, startedAt: stamp, completedAt: stamp },
    };
  }
  // /crm/v3/owners
  if (method === "GET" && path === "/crm/v3/owners") {
    const all = [...state.owners.values()];
    const after = Number(query.get("after") ?? 0);
    const limit = Math.min(500, Number(query.get("limit") ?? 100));
    const stamp = new Date(now()).toISOString();
    return {
      status: 200,
      body: {
        results: all.slice(after, after + limit).map((o) => ({
          id: o.id,
          email: o.email,
          type: "PERSON",
          firstName: "",
          lastName: "",
          userId: Number(o.id),
          createdAt: stamp,
          updatedAt: stamp,
          archived: false,
        })),
        ...(after + limit < all.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      },
    };
  }
  return {
    status: 404,
    body: {
      status: "error",
      message: `Unknown endpoint ${method} ${path} in the sandbox`,
      category: "OBJECT_NOT_FOUND",
    },
  };
}

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  values?: string[];
}

function comparable(name: string, v: string | null | undefined): number | string | undefined {
  if (v === null || v === undefined) return undefined;
  if (name === "hs_object_id") return Number(v);
  if (/date|timestamp/.test(name)) return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return v;
}

function search(state: PortalState, type: ObjectType, body: Record<string, unknown>): Result {
  const limit = Number(body.limit ?? 10);
  if (limit > 200)
    return {
      status: 400,
      body: { status: "error", message: "limit must be at most 200", category: "VALIDATION_ERROR" },
    };
  const after = Number(body.after ?? 0);
  if (after + limit > SEARCH_MAX_RESULTS) {
    return {
      status: 400,
      body: {
        status: "error",
        message:
          "There was a problem with the request. Paging beyond 10,000 results is not supported.",
        category: "VALIDATION_ERROR",
      },
    };
  }
  const groups = (body.filterGroups as { filters: Filter[] }[] | undefined) ?? [];
  const match = (o: StoredObject) =>
    groups.length === 0 ||
    groups.some((g) =>
      g.filters.every((f) => {
        const left = comparable(
          f.propertyName,
          f.propertyName === "hs_object_id" ? o.id : o.properties[f.propertyName],
        );
        const right = comparable(f.propertyName, f.value);
        switch (f.operator) {
          case "EQ":
            return left === right;
          case "GT":
            return left !== undefined && right !== undefined && left > right;
          case "GTE":
            return left !== undefined && right !== undefined && left >= right;
          case "LT":
            return left !== undefined && right !== undefined && left < right;
          case "LTE":
            return left !== undefined && right !== undefined && left <= right;
          case "IN":
            return (f.values ?? []).map((v) => comparable(f.propertyName, v)).includes(left);
          case "HAS_PROPERTY":
            return left !== undefined;
          default:
            return false;
        }
      }),
    );
  const sort = ((body.sorts as { propertyName: string; direction?: string }[] | undefined) ??
    [])[0];
  const all = [...state.objects[type].values()].filter((o) => !o.archived && match(o));
  const key = (o: StoredObject) =>
    comparable(
      sort?.propertyName ?? "hs_object_id",
      sort?.propertyName === "hs_object_id" || !sort ? o.id : o.properties[sort.propertyName],
    ) ?? 0;
  all.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : Number(a.id) - Number(b.id);
    return sort?.direction === "DESCENDING" ? -c : c;
  });
  const props = (body.properties as string[] | undefined) ?? [];
  const page = all.slice(after, after + limit);
  const next =
    after + limit < all.length ? { paging: { next: { after: String(after + limit) } } } : {};
  return {
    status: 200,
    body: { total: all.length, results: page.map((o) => view(o, props, [])), ...next },
  };
}

/** An object as HubSpot returns it: the requested properties plus the defaults. */
function view(o: StoredObject, props: string[], withHistory: string[]) {
  const properties: Record<string, string | null> = {
    hs_object_id: o.id,
    createdate: o.properties.createdate ?? o.createdAt,
    hs_lastmodifieddate: o.properties.hs_lastmodifieddate ?? o.updatedAt,
  };
  for (const p of props) properties[p] = o.properties[p] ?? null;
  const out: Record<string, unknown> = {
    id: o.id,
    properties,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    archived: o.archived,
  };
  if (withHistory.length) {
    const h: Record<string, { value: string; timestamp: string; sourceType: string }[]> = {};
    // HubSpot lists history newest first.
    for (const p of withHistory)
      h[p] = [...(o.history[p] ?? [])].reverse().map((x) => ({ ...x, sourceType: "API" }));
    out.propertiesWithHistory = h;
  }
  return out;
}
