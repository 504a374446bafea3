// The CRM search endpoint as HubSpot answers it (filters, sorts, 200 a page, at most 10,000 results a
// query) and the shape of one object in any CRM answer, with property history on request.
import type { Result } from "./http.ts";
import type { ObjectType, PortalState, StoredObject } from "./state.ts";

const SEARCH_MAX_RESULTS = 10_000;

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

/**
 * HubSpot's search index is eventually consistent: an object created through the API moments ago
 * is not found until its `searchableAt` (ms) has passed; objects updated since are found with their
 * current values (the sandbox does not keep older versions).
 */
export function search(
  state: PortalState,
  type: ObjectType,
  body: Record<string, unknown>,
  now: number = Date.now(),
): Result {
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
  const all = [...state.objects[type].values()].filter(
    (o) => !o.archived && (o.searchableAt ?? 0) <= now && match(o),
  );
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
export function view(o: StoredObject, props: string[], withHistory: string[]) {
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
