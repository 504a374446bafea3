// The official Zendesk client (node-zendesk), on the platform's fetch, called only through the shared
// pacer: one function per endpoint, named by intent. node-zendesk builds each request (URL, `.json`,
// query, bearer token, JSON body); its transport is ours, so Ebb reads the real answer — status,
// Retry-After, the whole body — rather than the client's post-processed result, which drops the
// export's cursor fields and turns a 429 into a value instead of an error.
import zendesk from "node-zendesk";
import type { z } from "zod";
import type { ConnectorContext } from "../connector.ts";
import { ConnectorError, codeForStatus } from "../errors.ts";
import { createPacer, type Pacer, type RetryOptions } from "../limits.ts";
import {
  JobStatus,
  Me,
  OrganizationExportPage,
  OrganizationFieldList,
  OrganizationList,
  SigningSecret,
  TagList,
  TicketExportPage,
  TriggerList,
  UserExportPage,
  UserList,
  WebhookCreated,
  WebhookList,
} from "./schemas.ts";

/** update_many takes at most 100 organizations a call. */
export const UPDATE_MANY_MAX = 100;

/**
 * Zendesk's limits for one account (shared with every app installed there): the plan's requests per
 * minute (200 on the smallest plan, the one Ebb assumes), and the incremental exports' own 10 per
 * minute, which count against the plan's too.
 */
export const ZENDESK_LIMITS = {
  default: { max: 200, windowMs: 60_000 },
  export: { max: 10, windowMs: 60_000 },
} as const;

export type Query = Record<string, string | number>;

export interface ZendeskApi {
  /** https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based */
  exportTickets(
    position: { cursor: string } | { startTime: number },
    perPage: number,
  ): Promise<z.infer<typeof TicketExportPage>>;
  /** https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-user-export-cursor-based */
  exportUsers(
    position: { cursor: string } | { startTime: number },
    perPage: number,
  ): Promise<z.infer<typeof UserExportPage>>;
  /** https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-organization-export */
  exportOrganizations(
    startTime: number,
    perPage: number,
  ): Promise<z.infer<typeof OrganizationExportPage>>;
  organizationFields(page?: string): Promise<z.infer<typeof OrganizationFieldList>>;
  /** Create an organization field; false when its key exists already. */
  createOrganizationField(field: {
    key: string;
    title: string;
    type: string;
    description: string;
  }): Promise<boolean>;
  /** PUT organizations/update_many: a background job. */
  updateMany(
    organizations: { id: number; organization_fields: Record<string, string | null> }[],
  ): Promise<z.infer<typeof JobStatus>>;
  jobStatus(id: string): Promise<z.infer<typeof JobStatus>>;
  /** PUT adds tags, DELETE removes them; neither touches the organization's other tags. */
  addTags(organizationId: number, tags: string[]): Promise<z.infer<typeof TagList>>;
  removeTags(organizationId: number, tags: string[]): Promise<z.infer<typeof TagList>>;
  me(): Promise<z.infer<typeof Me>>;
  /** https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/ */
  webhooks(nameContains: string): Promise<z.infer<typeof WebhookList>>;
  createWebhook(w: {
    name: string;
    endpoint: string;
    subscriptions: string[];
  }): Promise<z.infer<typeof WebhookCreated>>;
  webhookSecret(id: string): Promise<z.infer<typeof SigningSecret>>;
  /** https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/ */
  triggers(title: string): Promise<z.infer<typeof TriggerList>>;
  createTrigger(t: { title: string; conditions: unknown; actions: unknown }): Promise<unknown>;
  /** https://developer.zendesk.com/api-reference/ticketing/organizations/organizations/#show-many-organizations (≤ 100 ids) */
  organizationsById(ids: number[]): Promise<z.infer<typeof OrganizationList>>;
  /** https://developer.zendesk.com/api-reference/ticketing/users/users/#show-many-users (≤ 100 ids) */
  usersById(ids: number[]): Promise<z.infer<typeof UserList>>;
  pacer: Pacer;
}

interface Captured {
  status: number;
  headers: Headers;
  text: string;
}

/** A node-zendesk client for one call, whose transport keeps the raw answer. */
function clientFor(
  baseUrl: string,
  token: string,
  headers: Record<string, string>,
  seen: { last?: Captured },
) {
  const options = {
    token,
    customHeaders: headers,
    // Named here: node-zendesk's default reads `process.versions`, which a Worker does not have.
    userAgent: "Ebb (node-zendesk 6)",
    useOAuth: true,
    endpointUri: `${baseUrl.replace(/\/+$/, "")}/api/v2`,
    throwOriginalException: true,
    transportConfig: {
      async transportFn(url: string, init: RequestInit) {
        const res = await fetch(url, init);
        const text = await res.text();
        seen.last = { status: res.status, headers: res.headers, text };
        return { text, status: res.status, statusText: res.statusText, headers: res.headers };
      },
      responseAdapter(r: { text: string; status: number; statusText: string; headers: Headers }) {
        return {
          json: async () => (r.text ? safeJson(r.text) : {}),
          status: r.status,
          statusText: r.statusText,
          headers: { get: (k: string) => r.headers.get(k) },
        };
      },
    },
  };
  return zendesk.createClient(options as Parameters<typeof zendesk.createClient>[0]);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Zendesk's error bodies: `{error, description, details}` or OAuth's `{error, error_description}`. */
function reasonOf(text: string): string {
  const b = safeJson(text) as {
    error?: unknown;
    description?: string;
    error_description?: string;
    details?: unknown;
  };
  const error = typeof b.error === "string" ? b.error : (b.error as { title?: string })?.title;
  const said = [error, b.description ?? b.error_description].filter(Boolean).join(": ");
  return said.length > 400 ? `${said.slice(0, 400)}…` : said;
}

export function createZendeskApi(
  ctx: ConnectorContext,
  retry: RetryOptions & { concurrency?: number } = {},
): ZendeskApi {
  const pacer = createPacer(ctx.budget, {
    ...retry,
    onRetry: (err, attempt, delayMs) =>
      ctx.log("zendesk.retry", { code: err.code, attempt, delayMs }),
  });

  async function call<S extends z.ZodType>(
    kind: string,
    what: string,
    schema: S,
    method: "GET" | "POST" | "PUT" | "DELETE",
    parts: (string | Query)[],
    body?: unknown,
    /** The Webhooks API's paths have no `.json`: node-zendesk's webhooks client sends them so. */
    resource: "organizations" | "webhooks" = "organizations",
  ): Promise<z.infer<S>> {
    return pacer.run(kind, async () => {
      let used: string | undefined;
      for (let attempt = 0; ; attempt++) {
        used = await ctx.accessToken(
          attempt > 0 && used !== undefined ? { forceRefresh: true, rejected: used } : undefined,
        );
        const seen: { last?: Captured } = {};
        const client = clientFor(ctx.baseUrl, used, ctx.headers ?? {}, seen);
        try {
          // Any resource client sends any path; organizations' is as good as another.
          const target = client[resource] as unknown as { request: unknown };
          const request = target.request as (
            m: string,
            uri: (string | Query)[],
            ...rest: unknown[]
          ) => Promise<unknown>;
          await request.call(target, method, [...parts], ...(body === undefined ? [] : [body]));
        } catch (e) {
          if (!seen.last) {
            const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
            throw new ConnectorError("unavailable", `${what}: ${code}`);
          }
        }
        const answer = seen.last;
        if (!answer) throw new ConnectorError("unavailable", `${what}: no answer from Zendesk`);
        if (answer.status === 401 && attempt === 0) continue;
        if (answer.status >= 400) {
          const retryAfter = Number(answer.headers.get("retry-after"));
          const reason = reasonOf(answer.text);
          throw new ConnectorError(
            codeForStatus(answer.status),
            `${what}: Zendesk answered ${answer.status}${reason ? ` (${reason})` : ""}`,
            {
              status: answer.status,
              ...(answer.status < 500 && answer.status !== 429 ? { retryable: false } : {}),
              ...(Number.isFinite(retryAfter) && retryAfter > 0
                ? { retryAfterMs: retryAfter * 1000 }
                : {}),
            },
          );
        }
        let json: unknown;
        try {
          json = answer.text ? JSON.parse(answer.text) : {};
        } catch (e) {
          throw new ConnectorError(
            "invalid_response",
            `${what}: Zendesk sent a body that is not JSON (${(e as Error).message})`,
          );
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new ConnectorError(
            "invalid_response",
            `${what}: unexpected payload (${issue?.path.join(".")}: ${issue?.message})`,
          );
        }
        return parsed.data;
      }
    });
  }

  const position = (p: { cursor: string } | { startTime: number }): Query =>
    "cursor" in p ? { cursor: p.cursor } : { start_time: p.startTime };

  return {
    pacer,
    exportTickets: (p, perPage) =>
      call("export", "ticket export", TicketExportPage, "GET", [
        "incremental",
        "tickets",
        "cursor",
        { ...position(p), include: "metric_sets", per_page: perPage },
      ]),
    exportUsers: (p, perPage) =>
      call("export", "user export", UserExportPage, "GET", [
        "incremental",
        "users",
        "cursor",
        { ...position(p), per_page: perPage },
      ]),
    exportOrganizations: (startTime, perPage) =>
      call("export", "organization export", OrganizationExportPage, "GET", [
        "incremental",
        "organizations",
        { start_time: startTime, per_page: perPage },
      ]),
    // https://developer.zendesk.com/api-reference/ticketing/organizations/organization_fields/#list-organization-fields
    organizationFields: (page) =>
      call("default", "organization fields", OrganizationFieldList, "GET", [
        "organization_fields",
        ...(page ? [{ "page[after]": page }] : []),
      ]),
    // https://developer.zendesk.com/api-reference/ticketing/organizations/organization_fields/#create-organization-field
    async createOrganizationField(field) {
      try {
        await call(
          "default",
          `organization field ${field.key}`,
          TagList.partial(),
          "POST",
          ["organization_fields"],
          {
            organization_field: field,
          },
        );
        return true;
      } catch (e) {
        // A key that exists is refused as invalid (422 RecordInvalid: "Key has already been taken").
        if (e instanceof ConnectorError && e.status === 422) return false;
        throw e;
      }
    },
    // https://developer.zendesk.com/api-reference/ticketing/organizations/organizations/#update-many-organizations
    updateMany: (organizations) =>
      call(
        "default",
        "update many organizations",
        JobStatus,
        "PUT",
        ["organizations", "update_many"],
        {
          organizations,
        },
      ),
    // https://developer.zendesk.com/api-reference/ticketing/ticket-management/job_statuses/#show-job-status
    jobStatus: (id) => call("default", "job status", JobStatus, "GET", ["job_statuses", id]),
    // https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/#add-tags
    addTags: (id, tags) =>
      call(
        "default",
        "add organization tags",
        TagList,
        "PUT",
        ["organizations", String(id), "tags"],
        { tags },
      ),
    // https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/#remove-tags
    removeTags: (id, tags) =>
      call(
        "default",
        "remove organization tags",
        TagList,
        "DELETE",
        ["organizations", String(id), "tags"],
        { tags },
      ),
    // https://developer.zendesk.com/api-reference/ticketing/users/users/#show-the-currently-authenticated-user
    organizationsById: (ids) =>
      call("default", "organizations by id", OrganizationList, "GET", [
        "organizations",
        "show_many",
        { ids: ids.join(",") },
      ]),
    usersById: (ids) =>
      call("default", "users by id", UserList, "GET", [
        "users",
        "show_many",
        { ids: ids.join(",") },
      ]),
    webhooks: (name) =>
      call(
        "default",
        "webhooks",
        WebhookList,
        "GET",
        ["webhooks", { "filter[name_contains]": name }],
        undefined,
        "webhooks",
      ),
    createWebhook: (w) =>
      call(
        "default",
        `webhook ${w.name}`,
        WebhookCreated,
        "POST",
        ["webhooks"],
        { webhook: { ...w, http_method: "POST", request_format: "json", status: "active" } },
        "webhooks",
      ),
    webhookSecret: (id) =>
      call(
        "default",
        "webhook signing secret",
        SigningSecret,
        "GET",
        ["webhooks", id, "signing_secret"],
        undefined,
        "webhooks",
      ),
    // https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/#search-triggers
    // (an account can hold hundreds of triggers: Ebb's is found by its title, not by paging them all)
    triggers: (title) =>
      call("default", "triggers", TriggerList, "GET", ["triggers", "search", { query: title }]),
    createTrigger: (t) =>
      call("default", `trigger ${t.title}`, TagList.partial(), "POST", ["triggers"], {
        trigger: t,
      }),
    me: () => call("default", "current user", Me, "GET", ["users", "me"]),
  };
}
