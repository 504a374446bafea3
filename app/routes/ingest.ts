// The usage ingestion API: Segment's HTTP Tracking API (track, identify, group, batch) on Ebb's
// Worker, so `@segment/analytics-node`, RudderStack or a Segment webhook destination can point at
// Ebb unchanged. A call carries the tenant's write key in Basic auth (the key as user name) or in
// the body's `writeKey`, as Segment's libraries send it. Unlike Segment, a missing or wrong key is
// answered 401, never 200 with the data dropped. Size limits and refusals follow Segment's
// documentation: 400 for a call over 32 KB, a batch over 500 KB or JSON that does not parse; in a
// batch, each bad call is named and the others are stored.
import { Hono } from "hono";
import {
  type CallType,
  isRefused,
  MAX_BATCH_BYTES,
  MAX_CALL_BYTES,
  type RefusedCall,
  readCall,
  type UsageCall,
} from "../../connectors/segment/messages.ts";
import { listConnections } from "../db/directory-repo.ts";
import { tenantOfWriteKey } from "../db/write-keys-repo.ts";
import { type Deps, dayOf } from "../deps.ts";

type Answer = { success: boolean; code?: string; message?: string; [k: string]: unknown };

const fail = (status: 400 | 401, code: string, message: string) => ({
  status,
  body: { success: false, code, message } satisfies Answer,
});

/** The write key of a request: Basic auth's user name first, else the body's `writeKey`. */
function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (m) {
    try {
      const decoded = atob(m[1]!);
      const key = decoded.split(":")[0];
      if (key) return key;
    } catch {
      // not base64: no key from here
    }
  }
  const k = (body as { writeKey?: unknown } | null)?.writeKey;
  return typeof k === "string" && k ? k : undefined;
}

/** A stable id for a call sent without a messageId, so its retry is still recognised. */
function contentId(call: unknown): string {
  const s = JSON.stringify(call);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `ebb-content-${(a >>> 0).toString(16)}${(b >>> 0).toString(16)}`;
}

export function ingestRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  const handle = async (
    c: { env: Env; req: { header(n: string): string | undefined; text(): Promise<string> } },
    type: CallType | "batch" | "ignored",
  ): Promise<{ status: 200 | 400 | 401; body: Answer }> => {
    const limit = type === "batch" ? MAX_BATCH_BYTES : MAX_CALL_BYTES;
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > limit)
      return fail(
        400,
        "payload_too_large",
        `the request is larger than Segment's limit of ${limit / 1024} KB`,
      );
    const text = await c.req.text();
    if (new TextEncoder().encode(text).length > limit)
      return fail(
        400,
        "payload_too_large",
        `the request is larger than Segment's limit of ${limit / 1024} KB`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(400, "invalid_json", "the request body is not JSON");
    }
    const key = writeKeyOf(c.req.header("authorization"), body);
    const d = deps(c);
    if (!key)
      return fail(
        401,
        "missing_write_key",
        "no write key: send it as Basic auth's user name or as writeKey",
      );
    const tenantId = await tenantOfWriteKey(d.db, key, d.now());
    if (!tenantId) return fail(401, "invalid_write_key", "this write key is unknown or revoked");
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return fail(400, "invalid_call", "the request body is not a JSON object");
    if (type === "ignored") return { status: 200, body: { success: true } };

    const raw: unknown[] =
      type === "batch" ? ((body as { batch?: unknown }).batch as unknown[]) : [body];
    if (!Array.isArray(raw))
      return fail(400, "invalid_call", "a batch needs a `batch` array of calls");
    const now = d.now();
    const calls: UsageCall[] = [];
    const refused: RefusedCall[] = [];
    raw.forEach((call, index) => {
      const x = readCall(call, type === "batch" ? undefined : type, index, now, () =>
        contentId(call),
      );
      if (isRefused(x)) refused.push(x);
      else if (x) calls.push(x);
    });
    if (refused.length > 0 && (type !== "batch" || calls.length === 0)) {
      const first = refused[0]!;
      return {
        status: 400,
        body: {
          success: false,
          code: first.code,
          message:
            type === "batch"
              ? `every call of the batch was refused: ${first.message}`
              : first.message,
          ...(type === "batch" ? { rejected: refused } : {}),
        },
      };
    }
    const store = d.tenant(tenantId);
    const result = await store.ingestUsage(
      calls,
      refused.map((x) => x.message),
      now,
    );
    // No scoring from here: usage is read through the last complete day, and the next sync's
    // scoring (every 15 minutes) takes the accounts these calls marked.
    const rejected = [
      ...refused,
      ...result.refused.map((x) => ({
        messageId: x.messageId,
        code: "too_old",
        message: x.message,
      })),
    ];
    return {
      status: 200,
      body: {
        success: true,
        accepted: result.stored,
        duplicates: result.duplicates,
        waitingForAccount: result.waiting,
        ...(rejected.length ? { rejected } : {}),
      },
    };
  };

  for (const [path, type] of [
    ["/v1/track", "track"],
    ["/v1/identify", "identify"],
    ["/v1/group", "group"],
    ["/v1/batch", "batch"],
    ["/v1/import", "batch"],
    ["/v1/page", "ignored"],
    ["/v1/screen", "ignored"],
    ["/v1/alias", "ignored"],
  ] as const)
    r.post(path, async (c) => {
      const a = await handle(c, type);
      return c.json(a.body, a.status);
    });
  return r;
}

/** Usage moved scores: score the accounts it touched, then write back to every connection. */
export async function scoreAfterUsage(d: Deps, tenantId: string): Promise<void> {
  const connections = await listConnections(d.db, { tenantId, status: "active" });
  const scoring = await d.tenant(tenantId).startScoring(
    dayOf(d.now()),
    [...new Set(connections.map((c) => c.vendor))],
    connections.map((c) => ({ kind: "writeback" as const, tenantId, connectionId: c.id })),
  );
  if (scoring.drive) await d.enqueue([{ kind: "score", tenantId }]);
}
