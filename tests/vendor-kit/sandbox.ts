// The test vendor's API, a small local HTTP server in Node: OAuth consent and tokens, who the token
// belongs to, a paged export of customers with their tickets and usage, and health and task writes
// (tasks upserted by key, so a retried push creates nothing twice). It exists to prove that a vendor
// Ebb has never heard of fits the connector contract; nothing in Ebb's product knows it.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Portfolio } from "../../core/model.ts";

export const TALLY_CLIENT = { id: "tally-client", secret: "tally-secret" };
export const TALLY_WORKSPACE = "ws-42";
/** Customers per page of the export. */
const PAGE = 4;

export interface TallyState {
  health: Record<string, { score: number; band: string; reasons: string }>;
  tasks: Record<string, { customer: string; title: string; dueAt: string; done: boolean }>;
  calls: { method: string; path: string; status: number }[];
}

/** The token the sandbox accepts from the start, for tests that skip OAuth. */
export const TALLY_TEST_TOKEN = "tally-access-test";

export async function startTallySandbox(p: Portfolio) {
  const state: TallyState = { health: {}, tasks: {}, calls: [] };
  const tokens = new Set<string>([TALLY_TEST_TOKEN]);
  /** The next API calls answer with these faults, first first. */
  const faults: ("rate_limit" | "malformed")[] = [];
  let issued = 0;
  const issue = () => {
    issued++;
    const t = { access_token: `tally-access-${issued}`, refresh_token: `tally-refresh-${issued}` };
    tokens.add(t.access_token);
    return { ...t, expires_in: 1800 };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, body: unknown) => {
      state.calls.push({ method: req.method ?? "GET", path: url.pathname, status });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const body = await readBody(req);
    if (url.pathname === "/oauth/authorize") {
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", "tally-code");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      state.calls.push({ method: "GET", path: url.pathname, status: 302 });
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === "/oauth/token" && req.method === "POST") {
      const form = new URLSearchParams(body);
      if (
        form.get("client_id") !== TALLY_CLIENT.id ||
        form.get("client_secret") !== TALLY_CLIENT.secret
      )
        return send(401, { error: "invalid_client" });
      const grant = form.get("grant_type");
      if (grant === "authorization_code" && form.get("code") === "tally-code")
        return send(200, issue());
      if (grant === "refresh_token" && form.get("refresh_token")?.startsWith("tally-refresh-"))
        return send(200, issue());
      return send(400, { error: "invalid_grant" });
    }
    // The test's window into the vendor (no auth: it is not part of the vendor's API).
    if (url.pathname === "/__tally/state") return send(200, state);
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!tokens.has(bearer)) return send(401, { error: "invalid_token" });
    const fault = faults.shift();
    if (fault === "rate_limit") {
      state.calls.push({ method: req.method ?? "GET", path: url.pathname, status: 429 });
      res.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end("{}");
      return;
    }
    if (fault === "malformed") {
      state.calls.push({ method: req.method ?? "GET", path: url.pathname, status: 200 });
      res.writeHead(200, { "content-type": "application/json" }).end('{"customers": [');
      return;
    }
    if (url.pathname === "/v1/me")
      return send(200, {
        workspace: TALLY_WORKSPACE,
        name: "Tally test workspace",
        user: "ops@tally.test",
      });
    if (url.pathname === "/v1/export")
      return send(200, exportPage(p, Number(url.searchParams.get("after") ?? 0)));
    if (url.pathname === "/v1/health" && req.method === "POST") {
      const items = (
        JSON.parse(body) as { items: ({ customer: string } & TallyState["health"][string])[] }
      ).items;
      for (const { customer, ...h } of items) state.health[customer] = h;
      return send(200, { updated: items.length });
    }
    const task = /^\/v1\/tasks\/(.+)$/.exec(url.pathname);
    if (task?.[1] && req.method === "PUT") {
      const key = decodeURIComponent(task[1]);
      const created = !(key in state.tasks);
      state.tasks[key] = JSON.parse(body) as TallyState["tasks"][string];
      return send(created ? 201 : 200, { key, created });
    }
    return send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    /** Make the next `count` API calls fail with `kind`. */
    inject(kind: "rate_limit" | "malformed", count: number) {
      for (let k = 0; k < count; k++) faults.push(kind);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Customers `after`… in export order, each with its tickets and daily usage. */
function exportPage(p: Portfolio, after: number) {
  const customers = p.accounts.slice(after, after + PAGE).map((a) => ({
    id: `c-${a.id}`,
    name: a.name,
    website: a.domain,
    since: a.customerSince,
    tickets: p.tickets
      .filter((t) => t.accountId === a.id)
      .map((t) => ({
        id: `t-${t.id}`,
        opened: t.createdAt,
        closed: t.solvedAt,
        state: t.status,
        rating: t.satisfaction,
        subject: t.subject,
        body: t.text,
      })),
    usage: p.usage
      .filter((u) => u.accountId === a.id && u.feature === undefined)
      .map((u) => ({ day: u.day, users: u.activeUsers, events: u.events })),
  }));
  const next = after + PAGE < p.accounts.length ? after + PAGE : null;
  return { customers, next };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      data += c;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

export type TallySandbox = Awaited<ReturnType<typeof startTallySandbox>>;
