// The official Salesforce client (jsforce), on the platform's fetch, called only through the shared
// pacer: one function per endpoint, named by intent. jsforce builds each request (the versioned URL,
// bearer token, JSON bodies of sObject Collections) and parses Salesforce's error bodies; its
// transport is ours, so Ebb reads the real answer — status, `Sforce-Limit-Info`, the raw body — and
// a 401 goes to the connection gate's single-flight refresh instead of jsforce's own.
import { Connection } from "jsforce/lib/connection";
import { createHttpRequestHandlerStreams } from "jsforce/lib/request-helper";
import { StreamPromise } from "jsforce/lib/util/promise";
import { z } from "zod";
import type { ConnectorContext } from "../connector.ts";
import { ConnectorError, codeForStatus } from "../errors.ts";
import { createPacer, type Pacer, type RetryOptions } from "../limits.ts";

export const API_VERSION = "62.0";

/** sObject Collections take at most 200 records a call. */
export const COLLECTION_MAX = 200;

/**
 * Salesforce limits concurrency (25 long-running requests), not calls per second; the daily
 * allocation is the budget that matters, kept by the connection gate as Ebb's share of it. The
 * window here only stops a runaway loop from spending that share in minutes.
 */
export const SALESFORCE_LIMITS = {
  default: { max: 1000, windowMs: 60_000 },
} as const;

/** After the org's concurrent long-request limit: wait this long before trying again. */
export const CONCURRENCY_BACKOFF_MS = 2_000;

/** When the whole org is out of calls (REQUEST_LIMIT_EXCEEDED, no Retry-After): look again then. */
export const ORG_LIMIT_PAUSE_MS = 60 * 60_000;

export const QueryPage = z.looseObject({
  totalSize: z.number().int(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.looseObject({ Id: z.string() })),
});
export type QueryPage = z.infer<typeof QueryPage>;

export const Describe = z.looseObject({
  name: z.string(),
  fields: z.array(z.looseObject({ name: z.string(), type: z.string() })),
});

export const SaveResults = z.array(
  z.looseObject({
    id: z.string().nullish(),
    success: z.boolean(),
    created: z.boolean().optional(),
    errors: z.array(z.looseObject({ statusCode: z.string(), message: z.string() })),
  }),
);
export type SaveResults = z.infer<typeof SaveResults>;

export const UserInfo = z.looseObject({
  organization_id: z.string(),
  user_id: z.string(),
  email: z.string().nullish(),
  preferred_username: z.string().nullish(),
});

interface Captured {
  status: number;
  headers: Headers;
  text: string;
}

interface Seen {
  last?: Captured;
  /** The platform's fetch failed (no answer from Salesforce). */
  network?: Error;
}

type HttpRequest = {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: unknown;
};

/** jsforce's transport interface, answered by the platform's fetch; the raw answer is kept. */
function fetchTransport(seen: Seen) {
  return {
    httpRequest(req: HttpRequest) {
      return StreamPromise.create(() => {
        const { stream } = createHttpRequestHandlerStreams(req as never);
        const promise = (async () => {
          let res: Response;
          try {
            res = await fetch(req.url, {
              method: req.method,
              headers: req.headers ?? {},
              ...(typeof req.body === "string" ? { body: req.body } : {}),
              redirect: "manual",
            });
          } catch (e) {
            seen.network = e as Error;
            throw e;
          }
          const text = await res.text();
          seen.last = { status: res.status, headers: res.headers, text };
          const headers: Record<string, string> = {};
          res.headers.forEach((v, k) => {
            headers[k] = v;
          });
          return { statusCode: res.status, headers, body: text };
        })();
        return { stream, promise };
      });
    },
  };
}

/** Salesforce's REST error bodies: `[{message, errorCode, fields}]`. */
export function errorOf(text: string): { errorCode?: string; message?: string } {
  try {
    const b = JSON.parse(text) as unknown;
    const first = Array.isArray(b) ? b[0] : b;
    if (first && typeof first === "object") {
      const o = first as {
        errorCode?: string;
        message?: string;
        error?: string;
        error_description?: string;
      };
      return { errorCode: o.errorCode ?? o.error, message: o.message ?? o.error_description };
    }
  } catch {}
  return {};
}

export interface SalesforceApi {
  /** `queryAll` (deleted rows too) or `query`, one page; `next` continues from a nextRecordsUrl. */
  query(soql: string, opts: { all: boolean; batchSize: number }): Promise<QueryPage>;
  queryMore(nextRecordsUrl: string, batchSize: number): Promise<QueryPage>;
  describe(object: string): Promise<z.infer<typeof Describe>>;
  /** PATCH composite/sobjects (≤ 200 records, allOrNone false): one result per record. */
  update(object: string, records: Record<string, unknown>[]): Promise<SaveResults>;
  /** PATCH composite/sobjects/{object}/{field} (≤ 200 records, allOrNone false). */
  upsert(object: string, key: string, records: Record<string, unknown>[]): Promise<SaveResults>;
  userInfo(): Promise<z.infer<typeof UserInfo>>;
  pacer: Pacer;
}

export function createSalesforceApi(
  ctx: ConnectorContext,
  retry: RetryOptions & { concurrency?: number } = {},
): SalesforceApi {
  const pacer = createPacer(ctx.budget, {
    concurrency: 4,
    ...retry,
    onRetry: (err, attempt, delayMs) =>
      ctx.log("salesforce.retry", { code: err.code, attempt, delayMs }),
  });

  async function call<S extends z.ZodType>(
    what: string,
    schema: S,
    run: (conn: Connection) => Promise<unknown>,
  ): Promise<z.infer<S>> {
    return pacer.run("default", async () => {
      let used: string | undefined;
      for (let attempt = 0; ; attempt++) {
        used = await ctx.accessToken(
          attempt > 0 && used !== undefined ? { forceRefresh: true, rejected: used } : undefined,
        );
        const instanceUrl = (await ctx.instanceUrl?.()) ?? ctx.baseUrl;
        const seen: Seen = {};
        const conn = new Connection({ instanceUrl, accessToken: used, version: API_VERSION });
        (conn as unknown as { _transport: unknown })._transport = fetchTransport(seen);
        let result: unknown;
        let failed = false;
        try {
          result = await run(conn);
        } catch (e) {
          failed = true;
          if (seen.network) {
            const n = seen.network as Error & { cause?: { code?: string } };
            throw new ConnectorError("unavailable", `${what}: ${n.cause?.code ?? n.message}`);
          }
          // jsforce refused the request before sending it: a fault in what Ebb asked for.
          if (!seen.last)
            throw new ConnectorError("config", `${what}: ${(e as Error).message}`, { cause: e });
        }
        const answer = seen.last;
        if (!answer) throw new ConnectorError("unavailable", `${what}: no answer from Salesforce`);
        const usage = /api-usage=(\d+)\/(\d+)/.exec(answer.headers.get("sforce-limit-info") ?? "");
        if (usage) await ctx.budget.observe?.({ used: Number(usage[1]), max: Number(usage[2]) });
        const err = errorOf(answer.text);
        // An expired or revoked session: refresh once (single-flight in the gate), then give up.
        if (answer.status === 401 && attempt === 0) continue;
        if (answer.status === 401)
          throw new ConnectorError(
            "auth",
            `${what}: Salesforce refused the session (${err.errorCode ?? 401})`,
            { status: 401 },
          );
        // The same code names two limits: too many long requests at once (wait seconds and retry)
        // and the org's rolling 24-hour allocation (pause the connection; no Retry-After is sent).
        if (
          answer.status === 403 &&
          err.errorCode === "REQUEST_LIMIT_EXCEEDED" &&
          /concurrent/i.test(err.message ?? "")
        )
          throw new ConnectorError(
            "rate_limited",
            `${what}: too many concurrent requests in the org (${err.message})`,
            { status: 403, retryAfterMs: CONCURRENCY_BACKOFF_MS },
          );
        if (answer.status === 403 && err.errorCode === "REQUEST_LIMIT_EXCEEDED")
          throw new ConnectorError(
            "paused",
            `${what}: the org has used its whole daily API allocation (REQUEST_LIMIT_EXCEEDED); Ebb waits`,
            { status: 403, retryAfterMs: ORG_LIMIT_PAUSE_MS },
          );
        if (answer.status >= 400 || failed) {
          const code = answer.status >= 400 ? codeForStatus(answer.status) : "invalid_response";
          throw new ConnectorError(
            code,
            `${what}: Salesforce answered ${answer.status}${err.errorCode ? ` ${err.errorCode}` : ""}${err.message ? `: ${err.message.slice(0, 300)}` : ""}`,
            {
              status: answer.status,
              retryable:
                code === "unavailable" || (code === "invalid_response" && answer.status < 400),
            },
          );
        }
        const parsed = schema.safeParse(result);
        if (!parsed.success)
          throw new ConnectorError(
            "invalid_response",
            `${what}: Salesforce's answer does not have the expected shape (${parsed.error.issues[0]?.path.join(".") || "body"}: ${parsed.error.issues[0]?.message})`,
            { retryable: true },
          );
        return parsed.data;
      }
    });
  }

  const base = `/services/data/v${API_VERSION}`;
  const queryHeaders = (batchSize: number) => ({
    "Sforce-Query-Options": `batchSize=${batchSize}`,
  });
  return {
    pacer,
    query: (soql, { all, batchSize }) =>
      call(all ? "queryAll" : "query", QueryPage, (c) =>
        c.request({
          method: "GET",
          url: `${base}/${all ? "queryAll" : "query"}?q=${encodeURIComponent(soql)}`,
          headers: queryHeaders(batchSize),
        }),
      ),
    queryMore: (next, batchSize) =>
      call("query (next page)", QueryPage, (c) =>
        c.request({ method: "GET", url: next, headers: queryHeaders(batchSize) }),
      ),
    describe: (object) =>
      call(`describe ${object}`, Describe, (c) => c.request(`${base}/sobjects/${object}/describe`)),
    update: (object, records) =>
      call(`update ${object}`, SaveResults, (c) =>
        c.sobject(object).update(records as never, { allOrNone: false }),
      ),
    upsert: (object, key, records) =>
      call(`upsert ${object}`, SaveResults, (c) =>
        c.sobject(object).upsert(records as never, key, { allOrNone: false }),
      ),
    userInfo: () =>
      call("userinfo", UserInfo, (c) =>
        c.request({ method: "GET", url: "/services/oauth2/userinfo" }),
      ),
  };
}
