// The CRM routes the connector uses — objects read, batch-read with history, created, updated,
// associated, searched; properties and owners — answered from the portal's state as HubSpot does.
import { search, view } from "./crm-search.ts";
import type { Result } from "./http.ts";
import { defaultDefinition, invalidValues } from "./properties.ts";
import { OBJECT_TYPES, type ObjectType, type PortalState, type StoredObject } from "./state.ts";

/**
 * Records per batch read that asks for property history. The spec (PublicApiSpecs/CRM/Companies/
 * Rollouts/424/v3/companies.json, operation post-/crm/v3/objects/companies/batch/read_read) states
 * no limit; HubSpot's own 400 does: "The maximum number of inputs supported in a batch request for
 * property histories is 50".
 */
const HISTORY_BATCH_MAX = 50;

/**
 * Associated records per input of a v4 batch read before the record's own `paging.next.after`
 * (spec: PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json, operation
 * post-/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read_getPage; its input carries
 * `after` for this). The page size is not stated there; the sandbox uses 500.
 */
export const ASSOCIATIONS_PER_RECORD = 500;

/**
 * Owners per page: the spec's default (PublicApiSpecs/CRM/Crm Owners/Rollouts/146888/v3/
 * crmOwners.json, get-/crm/v3/owners_/crm/v3/owners, `limit` default 100) and no published maximum,
 * so the sandbox answers at most that many whatever is asked, and a client must follow paging.
 */
export const OWNERS_PAGE_MAX = 100;

/**
 * HubSpot's default association type ids (developers.hubspot.com/docs/guides/api/crm/associations/
 * associations-v4, "Association type id values"): the unlabelled type per pair, and the Primary
 * company of a contact (1) or a ticket (339).
 */
const DEFAULT_TYPE: Record<string, number> = {
  "contacts:companies": 279,
  "tickets:companies": 26,
  "tickets:contacts": 16,
  "calls:companies": 182,
  "emails:companies": 186,
  "meetings:companies": 188,
  "notes:companies": 190,
  "tasks:companies": 192,
  "calls:contacts": 194,
  "emails:contacts": 198,
  "meetings:contacts": 200,
  "notes:contacts": 202,
  "tasks:contacts": 204,
};
const PRIMARY_TYPE: Record<string, number> = { "contacts:companies": 1, "tickets:companies": 339 };

function associationTypes(from: string, to: string, primary: boolean) {
  const pair = `${from}:${to}`;
  const plain = { category: "HUBSPOT_DEFINED", typeId: DEFAULT_TYPE[pair] ?? 1, label: null };
  const labelled = PRIMARY_TYPE[pair];
  return primary && labelled
    ? [{ category: "HUBSPOT_DEFINED", typeId: labelled, label: "Primary" }, plain]
    : [plain];
}

function isType(t: string | undefined): t is ObjectType {
  return OBJECT_TYPES.includes(t as ObjectType);
}

export function route(
  state: PortalState,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Record<string, unknown>,
  now: () => number,
  searchLagMs = 0,
): Result {
  const t = now();
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
    return search(state, parts[3], body, t);
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
      const def =
        defs.get(parts[4]) ?? (isType(type) ? defaultDefinition(type, parts[4]) : undefined);
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
        hasUniqueValue: body.hasUniqueValue === true,
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
    // Every value of every input is validated first; one invalid value refuses the whole batch.
    const invalid = [
      ...new Map(
        inputs
          .flatMap((input) =>
            invalidValues(type, input.properties ?? {}, state.properties.get(type)),
          )
          .map((v) => [`${v.name}:${v.error}`, v]),
      ).values(),
    ];
    if (invalid.length)
      return {
        status: 400,
        body: {
          status: "error",
          message: `Property values were not valid: ${JSON.stringify(invalid)}`,
          category: "VALIDATION_ERROR",
          errors: invalid.map((v) => ({
            message: v.message,
            code: v.error,
            context: { propertyName: [v.name] },
          })),
        },
      };
    // A unique-value property holds each value once across the object type.
    const duplicate = duplicateUnique(state, type, inputs);
    if (duplicate)
      return {
        status: 409,
        body: {
          status: "error",
          message: `A ${type.slice(0, -1)} with ${duplicate.name}=${duplicate.value} already exists (${duplicate.name} has unique values).`,
          category: "CONFLICT",
          context: { [duplicate.name]: [duplicate.value] },
        },
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
        searchableAt: t + searchLagMs,
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
    const props = (body.properties as string[] | undefined) ?? [];
    const withHistory = (body.propertiesWithHistory as string[] | undefined) ?? [];
    if (inputs.length > 100)
      return {
        status: 400,
        body: { status: "error", message: "Batch size limit is 100", category: "VALIDATION_ERROR" },
      };
    // With property history HubSpot reads at most 50 records a call, and refuses the whole call above.
    if (withHistory.length > 0 && inputs.length > HISTORY_BATCH_MAX)
      return {
        status: 400,
        body: {
          status: "error",
          message: `The maximum number of inputs supported in a batch request for property histories is ${HISTORY_BATCH_MAX}. Please reduce the number of items and try again.`,
          category: "VALIDATION_ERROR",
        },
      };
    const type = parts[3];
    // `idProperty`: the inputs are values of a unique-value property rather than object ids.
    const idProperty = body.idProperty as string | undefined;
    if (idProperty && !uniqueProperties(state, type).has(idProperty))
      return {
        status: 400,
        body: {
          status: "error",
          message: `${idProperty} is not a unique-value property of ${type}`,
          category: "VALIDATION_ERROR",
        },
      };
    const find = (id: string) =>
      idProperty
        ? [...state.objects[type].values()].find((o) => o.properties[idProperty] === id)
        : state.objects[type].get(id);
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of inputs) {
      const o = find(String(id));
      if (o && !o.archived) results.push(view(o, props, withHistory));
      else missing.push(String(id));
    }
    const stamp = new Date(now()).toISOString();
    // Ids that do not exist (or were deleted) come back as one error naming them, with status 207
    // (the spec's BatchResponseSimplePublicObjectWithErrors; StandardError's required fields).
    const errors = missing.length
      ? [
          {
            status: "error",
            category: "OBJECT_NOT_FOUND",
            message: `Could not get some ${type.toUpperCase().slice(0, -1)} objects, they may be deleted or not exist. Check that ids are valid.`,
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ]
      : [];
    return {
      status: errors.length ? 207 : 200,
      body: {
        status: "COMPLETE",
        results,
        ...(errors.length ? { errors, numErrors: errors.length } : {}),
        startedAt: stamp,
        completedAt: stamp,
      },
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
    // HubSpot takes `properties` repeated or comma-separated (the SDK repeats it).
    const props = query
      .getAll("properties")
      .flatMap((v) => v.split(","))
      .filter(Boolean);
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
    const results = (inputs as { id: string; after?: string }[]).flatMap(({ id, after }) => {
      const linked = state.associated(from, String(id), to).sort((a, b) => Number(a) - Number(b));
      if (linked.length === 0) return [];
      const offset = after ? Number(Buffer.from(after, "base64url").toString()) || 0 : 0;
      const page = linked.slice(offset, offset + ASSOCIATIONS_PER_RECORD);
      const primary = state.primaryCompany.get(`${from}:${id}`);
      const next = offset + ASSOCIATIONS_PER_RECORD;
      return [
        {
          from: { id: String(id) },
          to: page.map((x) => ({
            toObjectId: Number(x),
            associationTypes: associationTypes(from, to, x === primary),
          })),
          ...(next < linked.length
            ? { paging: { next: { after: Buffer.from(String(next)).toString("base64url") } } }
            : {}),
        },
      ];
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
    const limit = Math.min(OWNERS_PAGE_MAX, Number(query.get("limit") ?? 100));
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

/** Properties of `type` created with `hasUniqueValue`. */
function uniqueProperties(state: PortalState, type: ObjectType): Set<string> {
  const out = new Set<string>();
  for (const [name, def] of state.properties.get(type) ?? []) if (def.hasUniqueValue) out.add(name);
  return out;
}

/** The first unique value an input would repeat (held by another object, or by another input). */
function duplicateUnique(
  state: PortalState,
  type: ObjectType,
  inputs: { id?: string; properties: Record<string, string> }[],
): { name: string; value: string } | undefined {
  const unique = uniqueProperties(state, type);
  if (unique.size === 0) return undefined;
  for (const name of unique) {
    const held = new Map<string, string>();
    for (const o of state.objects[type].values()) {
      const v = o.properties[name];
      if (v) held.set(v, o.id);
    }
    for (const input of inputs) {
      const v = input.properties?.[name];
      if (!v) continue;
      const owner = held.get(v);
      if (owner !== undefined && owner !== input.id) return { name, value: v };
      held.set(v, input.id ?? "new");
    }
  }
  return undefined;
}
