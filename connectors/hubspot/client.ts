// The official HubSpot SDK, constructed once per invocation and called only through the shared
// pacer: one function per endpoint, named by intent, each with its API reference above it.

import { z } from "zod";
import type { ConnectorContext } from "../connector.ts";
import { ConnectorError, codeForStatus } from "../errors.ts";
import { createPacer, type Pacer, type RetryOptions } from "../limits.ts";
import {
  HubSpotAssociations,
  HubSpotBatchRead,
  HubSpotBatchWrite,
  HubSpotListPage,
  HubSpotOwners,
  HubSpotSearchPage,
} from "./schemas.ts";
import { createHubSpotSdk } from "./sdk.ts";

/**
 * Search pages are capped at 200 results; batch reads at 100 inputs, and at 50 when they ask for
 * property history ("The maximum number of inputs supported in a batch request for property
 * histories is 50", HubSpot's 400 above it); v4 association reads at 1,000.
 */
export const SEARCH_PAGE = 200;
export const BATCH_READ = 100;
export const HISTORY_BATCH_READ = 50;
export const ASSOCIATION_BATCH = 1000;

/**
 * HubSpot's limits for a marketplace app (per installed portal): the connection's budget enforces
 * them. CRM search and v4 association batches are exempt from the 10-second window (the spec marks
 * them `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`, e.g. post-/crm/v3/objects/companies/search
 * in PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json and the batch operations of
 * PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json): search has its documented
 * 5 per second; association batches, whose own limit is not published, get a window of their own
 * as large as the default one.
 */
export const HUBSPOT_LIMITS = {
  default: { max: 110, windowMs: 10_000 },
  search: { max: 5, windowMs: 1000, exempt: true },
  associations: { max: 110, windowMs: 10_000, exempt: true },
} as const;

export interface HubSpotApi {
  search(type: string, request: SearchRequest): Promise<z.infer<typeof HubSpotSearchPage>>;
  readWithHistory(
    type: string,
    ids: string[],
    properties: string[],
    history: string[],
  ): Promise<z.infer<typeof HubSpotBatchRead>>;
  /** Read objects by the values of a unique-value property (not through search: no index lag). */
  readByUnique(
    type: string,
    property: string,
    values: string[],
    properties: string[],
  ): Promise<z.infer<typeof HubSpotBatchRead>>;
  /** Associations of each input record; `after` continues a record's own paging. */
  associations(
    from: string,
    to: string,
    inputs: { id: string; after?: string }[],
  ): Promise<z.infer<typeof HubSpotAssociations>>;
  listArchived(type: string, after: string | undefined): Promise<z.infer<typeof HubSpotListPage>>;
  /** Objects of a type, 100 a page, with these properties (a full read, outside search's budget). */
  list(
    type: string,
    after: string | undefined,
    properties: string[],
  ): Promise<z.infer<typeof HubSpotListPage>>;
  owners(after: string | undefined): Promise<z.infer<typeof HubSpotOwners>>;
  /** Create a property group; false when it already exists. */
  createGroup(type: string, name: string, label: string): Promise<boolean>;
  /** Create a property; false when it already exists. */
  createProperty(type: string, definition: PropertyDefinition): Promise<boolean>;
  batchUpdate(
    type: string,
    inputs: { id: string; properties: Record<string, string> }[],
  ): Promise<z.infer<typeof HubSpotBatchWrite>>;
  batchCreate(
    type: string,
    inputs: {
      properties: Record<string, string>;
      associations: {
        to: { id: string };
        types: { associationCategory: "HUBSPOT_DEFINED"; associationTypeId: number }[];
      }[];
    }[],
  ): Promise<z.infer<typeof HubSpotBatchWrite>>;
  pacer: Pacer;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: "string" | "number" | "date" | "datetime" | "enumeration";
  fieldType: "text" | "textarea" | "number" | "date" | "select";
  groupName: string;
  description?: string;
  /** Each value held by at most one object of the type (and readable as an id: `idProperty`). */
  hasUniqueValue?: boolean;
  options?: { label: string; value: string; displayOrder: number; hidden: boolean }[];
}

export interface SearchRequest {
  filterGroups: {
    filters: {
      propertyName: string;
      operator: "GTE" | "GT" | "EQ" | "IN";
      value?: string;
      values?: string[];
    }[];
  }[];
  sorts: { propertyName: string; direction: "ASCENDING" | "DESCENDING" }[];
  properties: string[];
  limit: number;
  after?: string;
}

/** HubSpot's messages can list every invalid value of a batch: the first 600 characters say enough. */
const clip = (m: string) => (m.length > 600 ? `${m.slice(0, 600)}…` : m);

/** Map whatever the SDK threw to a ConnectorError (never leaking the token it was called with). */
export function toConnectorError(e: unknown, what: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = e as {
    code?: number;
    headers?: Record<string, string>;
    body?: unknown;
    message?: string;
  };
  if (typeof err.code === "number" && err.code >= 400) {
    const retryAfter = Number(err.headers?.["retry-after"]);
    const body =
      typeof err.body === "object" && err.body !== null
        ? (err.body as {
            message?: string;
            category?: string;
            errors?: {
              context?: { requiredScopes?: string[]; requiredGranularScopes?: string[] };
            }[];
          })
        : undefined;
    // A 403 for a scope names the scopes HubSpot wants: that is what an admin must grant.
    const scopes = (body?.errors ?? []).flatMap(
      (x) => x.context?.requiredGranularScopes ?? x.context?.requiredScopes ?? [],
    );
    const said =
      body?.category === "MISSING_SCOPES" && scopes.length > 0
        ? ` (missing scope ${scopes.join(", ")})`
        : body?.message
          ? ` (${clip(body.message)})`
          : "";
    return new ConnectorError(
      codeForStatus(err.code),
      `${what}: HubSpot answered ${err.code}${said}`,
      {
        status: err.code,
        // A 4xx other than 429 is an answer, not a hiccup: asking again gets the same one.
        ...(err.code < 500 && err.code !== 429 ? { retryable: false } : {}),
        ...(Number.isFinite(retryAfter) && retryAfter > 0
          ? { retryAfterMs: retryAfter * 1000 }
          : {}),
      },
    );
  }
  if (e instanceof SyntaxError)
    return new ConnectorError(
      "invalid_response",
      `${what}: HubSpot sent a body that is not JSON (${e.message})`,
    );
  const code = (e as { code?: string }).code;
  if (
    code === "ECONNRESET" ||
    code === "ECONNREFUSED" ||
    code === "ETIMEDOUT" ||
    code === "UND_ERR_SOCKET"
  ) {
    return new ConnectorError("unavailable", `${what}: ${code}`);
  }
  return new ConnectorError("invalid_response", `${what}: ${(e as Error).message ?? String(e)}`, {
    cause: e,
  });
}

export function createHubSpotApi(
  ctx: ConnectorContext,
  retry: RetryOptions & { concurrency?: number } = {},
): HubSpotApi {
  // Retries, pacing and limits are ours (shared across invocations); the SDK's own are off.
  const client = createHubSpotSdk(ctx.baseUrl);
  const pacer = createPacer(ctx.budget, {
    ...retry,
    onRetry: (err, attempt, delayMs) =>
      ctx.log("hubspot.retry", { code: err.code, attempt, delayMs }),
  });

  async function call<S extends z.ZodType>(
    kind: string,
    what: string,
    schema: S,
    run: () => Promise<unknown>,
  ): Promise<z.infer<S>> {
    return pacer.run(kind, async () => {
      let used: string | undefined;
      for (let attempt = 0; ; attempt++) {
        used = await ctx.accessToken(
          attempt > 0 && used !== undefined ? { forceRefresh: true, rejected: used } : undefined,
        );
        client.setAccessToken(used);
        try {
          const parsed = schema.safeParse(await run());
          if (!parsed.success)
            throw new ConnectorError(
              "invalid_response",
              `${what}: unexpected payload (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`,
            );
          return parsed.data;
        } catch (e) {
          const err = toConnectorError(e, what);
          // A token revoked or expired early: refresh once, then give up as `auth`.
          if (err.code === "auth" && attempt === 0) continue;
          throw err;
        }
      }
    });
  }

  // https://developers.hubspot.com/docs/api-reference/crm-objects-v3/basic/get-crm-v3-objects-objectType
  // (100 a page, HubSpot's maximum): the live objects of a type, or its archived (deleted) ones.
  const listPage = (
    what: string,
    type: string,
    after: string | undefined,
    properties: string[] | undefined,
    archived: boolean,
  ) =>
    call("default", what, HubSpotListPage, () =>
      client.crm.objects.basicApi.getPage(
        type,
        100,
        after,
        properties,
        undefined,
        undefined,
        archived,
      ),
    );

  return {
    pacer,
    // https://developers.hubspot.com/docs/api-reference/crm-search-v3/search/post-crm-v3-objects-objectType-search
    search: (type, request) =>
      call("search", `search ${type}`, HubSpotSearchPage, () =>
        client.crm.objects.searchApi.doSearch(type, request as never),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-objects-v3/batch/post-crm-v3-objects-objectType-batch-read
    readWithHistory: (type, ids, properties, history) =>
      call("default", `batch read ${type}`, HubSpotBatchRead, () =>
        client.crm.objects.batchApi.read(type, {
          inputs: ids.map((id) => ({ id })),
          properties,
          propertiesWithHistory: history,
        }),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-objects-v3/batch/post-crm-v3-objects-objectType-batch-read
    readByUnique: (type, property, values, properties) =>
      call("default", `batch read ${type} by ${property}`, HubSpotBatchRead, () =>
        client.crm.objects.batchApi.read(type, {
          inputs: values.map((id) => ({ id })),
          idProperty: property,
          properties,
          propertiesWithHistory: [],
        }),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-read
    associations: (from, to, inputs) =>
      call("associations", `associations ${from}→${to}`, HubSpotAssociations, () =>
        client.crm.associations.v4.batchApi.getPage(from, to, { inputs }),
      ),
    listArchived: (type, after) => listPage(`archived ${type}`, type, after, undefined, true),
    list: (type, after, properties) => listPage(`list ${type}`, type, after, properties, false),
    // https://developers.hubspot.com/docs/api-reference/crm-owners-v3/owners/get-crm-v3-owners
    owners: (after) =>
      call("default", "owners", HubSpotOwners, () =>
        client.crm.owners.ownersApi.getPage(undefined, after, 500, false),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/groups/post-crm-v3-properties-objectType-groups
    createGroup: (type, name, label) =>
      createIfMissing(() =>
        call("default", `property group ${name}`, Anything, () =>
          client.crm.properties.groupsApi.create(type, { name, label, displayOrder: -1 }),
        ),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/core/post-crm-v3-properties-objectType
    createProperty: (type, d) =>
      createIfMissing(() =>
        call("default", `property ${d.name}`, Anything, () =>
          client.crm.properties.coreApi.create(type, { ...d, options: d.options ?? [] } as never),
        ),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-objects-v3/batch/post-crm-v3-objects-objectType-batch-update
    batchUpdate: (type, inputs) =>
      call("default", `batch update ${type}`, HubSpotBatchWrite, () =>
        client.crm.objects.batchApi.update(type, { inputs }),
      ),
    // https://developers.hubspot.com/docs/api-reference/crm-objects-v3/batch/post-crm-v3-objects-objectType-batch-create
    batchCreate: (type, inputs) =>
      call("default", `batch create ${type}`, HubSpotBatchWrite, () =>
        client.crm.objects.batchApi.create(type, { inputs } as never),
      ),
  };
}

const Anything = z.unknown();

/** Run a create; a 409 (already exists) is success without a change. */
async function createIfMissing(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (e) {
    if (e instanceof ConnectorError && e.status === 409) return false;
    throw e;
  }
}
