// Every route the sandbox serves is one of HubSpot's, named with the spec file and operation it
// emulates (routes.ts), and every size limit it enforces is HubSpot's, with where HubSpot says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OBJECT_SPECS, SANDBOX_LIMITS, SANDBOX_ROUTES, type SandboxRoute } from "./routes.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "./server.ts";
import { PortalState } from "./state.ts";

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  const state = new PortalState();
  state.put("companies", {
    id: "1",
    properties: { name: "Acme", hs_object_id: "1" },
    history: {},
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    archived: false,
  });
  sandbox = await startHubSpotSandbox({
    state,
    burstPer10s: 100_000,
    searchPerSecond: 100_000,
    associationsPer10s: 100_000,
  });
});
afterAll(() => sandbox.close());

/** A small valid request for each route, as the official SDK would send it. */
function request(r: SandboxRoute): { url: string; init: RequestInit } {
  const path = r.path
    .replace("{fromObjectType}", "contacts")
    .replace("{toObjectType}", "companies")
    .replace("{objectType}", "companies")
    .replace("{propertyName}", "name");
  const json = (body: unknown): RequestInit => ({
    method: r.method,
    headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const form = (body: Record<string, string>): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body).toString(),
  });
  const creds = { client_id: "sandbox-client", client_secret: "sandbox-secret" };
  if (path === "/oauth/2026-03/token")
    return {
      url: path,
      init: form({ ...creds, grant_type: "refresh_token", refresh_token: "sandbox-refresh-token" }),
    };
  if (path === "/oauth/2026-03/token/introspect")
    return { url: path, init: form({ ...creds, token: sandbox.token }) };
  if (path === "/oauth/authorize")
    return {
      url: `${path}?client_id=c&redirect_uri=${encodeURIComponent("http://localhost/cb")}&state=s`,
      init: { redirect: "manual" },
    };
  if (r.method === "GET")
    return { url: path, init: { headers: { authorization: `Bearer ${sandbox.token}` } } };
  if (path.endsWith("/search"))
    return { url: path, init: json({ filterGroups: [], sorts: [], properties: [], limit: 10 }) };
  if (path.endsWith("/groups"))
    return { url: path, init: json({ name: `g${Math.random()}`, label: "G" }) };
  if (path === "/crm/v3/properties/companies")
    return {
      url: path,
      init: json({ name: `p${Date.now()}`, label: "P", type: "string", fieldType: "text" }),
    };
  if (path.endsWith("/batch/create")) return { url: path, init: json({ inputs: [] }) };
  return { url: path, init: json({ inputs: [] }) };
}

describe("the HubSpot sandbox's routes", () => {
  it("names, for every route, the spec file and operation it emulates", () => {
    for (const r of SANDBOX_ROUTES) {
      expect(r.spec, r.path).toMatch(/^(PublicApiSpecs\/.+\.json|developers\.hubspot\.com\/.+)$/);
      if (r.spec.startsWith("PublicApiSpecs/"))
        // Operation ids of the spec collection are the method and the path, then a name.
        expect(r.operation.startsWith(`${r.method.toLowerCase()}-${r.path}`), r.operation).toBe(
          true,
        );
    }
    // Each object type's routes cite that type's own spec file.
    for (const [type, spec] of Object.entries(OBJECT_SPECS))
      for (const r of SANDBOX_ROUTES.filter((x) => x.path.startsWith(`/crm/v3/objects/${type}`)))
        expect(r.spec).toBe(spec);
  });

  it("answers every route it names", async () => {
    for (const r of SANDBOX_ROUTES) {
      const { url, init } = request(r);
      const res = await fetch(`${sandbox.url}${url}`, init);
      const body = await res.text();
      expect(body, `${r.method} ${r.path}`).not.toContain("in the sandbox");
      expect(res.status, `${r.method} ${r.path}: ${body.slice(0, 200)}`).toBeLessThan(400);
    }
  });

  it("serves nothing else: any other route is unknown", async () => {
    for (const [method, path] of [
      ["GET", "/crm/v3/objects/companies/1"],
      ["DELETE", "/crm/v3/objects/companies/1"],
      ["POST", "/crm/v3/objects/deals/search"],
      ["POST", "/crm/v3/objects/companies/batch/upsert"],
      ["GET", "/crm/v4/objects/companies/1/associations/contacts"],
    ] as const) {
      const res = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });
});

describe("the HubSpot sandbox's limits", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ids = (n: number) => Array.from({ length: n }, (_, k) => ({ id: String(k + 1) }));
  /** Each limit shown at its value and one past it. */
  const probes: Record<string, (n: number) => Promise<Response>> = {
    "search page": (n) => post("/crm/v3/objects/companies/search", { limit: n }),
    "search results per query": (n) =>
      post("/crm/v3/objects/companies/search", { limit: 1, after: String(n - 1) }),
    "batch inputs": (n) =>
      post("/crm/v3/objects/companies/batch/read", { inputs: ids(n), properties: [] }),
    "batch read inputs with property history": (n) =>
      post("/crm/v3/objects/companies/batch/read", {
        inputs: ids(n),
        properties: [],
        propertiesWithHistory: ["name"],
      }),
    "association batch read inputs": (n) =>
      post("/crm/v4/associations/contacts/companies/batch/read", { inputs: ids(n) }),
  };
  /** Page sizes: asking for more than the limit gets at most the limit. */
  const pages: Record<string, string> = {
    "list page": "/crm/v3/objects/companies?limit=",
    "owners page": "/crm/v3/owners?limit=",
  };
  const rates = new Set(["requests per 10 s", "searches per second"]);

  it("cites where HubSpot states each limit, and enforces each at its value", async () => {
    for (const l of SANDBOX_LIMITS) {
      expect(l.source.length, l.name).toBeGreaterThan(20);
      const probe = probes[l.name];
      if (probe) {
        expect((await probe(l.value)).status, `${l.name} at ${l.value}`).toBeLessThan(300);
        const over = await probe(l.value + 1);
        expect(over.status, `${l.name} at ${l.value + 1}`).toBe(400);
        continue;
      }
      const page = pages[l.name];
      if (page) {
        const res = await fetch(`${sandbox.url}${page}${l.value + 50}`, {
          headers: { authorization: `Bearer ${sandbox.token}` },
        });
        expect(res.status).toBe(200);
        continue;
      }
      // The rate limits are shown by the limits' own tests (crm.test.ts).
      expect(rates.has(l.name), `no probe for ${l.name}`).toBe(true);
    }
  });
});
