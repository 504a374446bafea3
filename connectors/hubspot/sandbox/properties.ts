// Property writes validated as HubSpot validates them: a property must exist on the object type
// (HubSpot's default properties, or one created through the properties API), and its value must fit
// the property's type — a number, a date at midnight UTC, a datetime, one of an enumeration's option
// values — or be "" (which clears it). A batch with any invalid value is refused whole with 400
// VALIDATION_ERROR, the invalid values listed in the message as HubSpot lists them.
// The default properties' types follow the properties HubSpot's objects are documented with
// (VENDORS.md lists the task properties Ebb writes); the spec collection's objects APIs
// (e.g. PublicApiSpecs/CRM/Tasks/Rollouts/424/v3/tasks.json) type every value as a string, so the
// type checks are the properties API's types (PublicApiSpecs/CRM/Properties/Rollouts/145899/v3/
// properties.json: string, number, date, datetime, enumeration, bool).
import type { ObjectType } from "./state.ts";

export interface PropertyType {
  type: "string" | "number" | "date" | "datetime" | "enumeration" | "bool";
  options?: readonly string[];
}

const S: PropertyType = { type: "string" };
const DT: PropertyType = { type: "datetime" };
const N: PropertyType = { type: "number" };

/** The default properties of the types the connector writes, or reads back in tests. */
const DEFAULTS: Partial<Record<ObjectType, Record<string, PropertyType>>> = {
  companies: {
    name: S,
    domain: S,
    hubspot_owner_id: { type: "enumeration" },
    hs_lifecyclestage_customer_date: DT,
    lifecyclestage: S,
  },
  tasks: {
    hs_task_subject: S,
    hs_task_body: S,
    hs_timestamp: DT,
    hs_task_completion_date: DT,
    hubspot_owner_id: { type: "enumeration" },
    // Their option lists are not in the spec collection: the sandbox checks options only of
    // properties created through the properties API (Ebb's own band and trend).
    hs_task_status: { type: "enumeration" },
    hs_task_priority: { type: "enumeration" },
    hs_task_type: { type: "enumeration" },
  },
  tickets: {
    subject: S,
    content: S,
    hs_pipeline_stage: S,
    hs_ticket_priority: S,
    time_to_close: N,
  },
};

/** A default property's definition as the properties API returns it (name, type, options). */
export function defaultDefinition(
  type: ObjectType,
  name: string,
): Record<string, unknown> | undefined {
  const t = DEFAULTS[type]?.[name];
  if (!t) return undefined;
  return {
    name,
    label: name,
    type: t.type,
    fieldType: t.type === "enumeration" ? "select" : "text",
    groupName: `${type.slice(0, -1)}information`,
    options: (t.options ?? []).map((value, displayOrder) => ({
      label: value,
      value,
      displayOrder,
      hidden: false,
    })),
    hubspotDefined: true,
    hasUniqueValue: false,
    archived: false,
  };
}

export interface InvalidValue {
  isValid: false;
  message: string;
  error: "PROPERTY_DOESNT_EXIST" | "INVALID_INTEGER" | "INVALID_DATE" | "INVALID_OPTION";
  name: string;
  localizedErrorMessage: string;
}

function check(name: string, value: string, t: PropertyType): InvalidValue | undefined {
  if (value === "") return undefined;
  const bad = (error: InvalidValue["error"], message: string): InvalidValue => ({
    isValid: false,
    message,
    error,
    name,
    localizedErrorMessage: message,
  });
  if (t.type === "number" && !/^-?\d+(\.\d+)?$/.test(value))
    return bad("INVALID_INTEGER", `${value} was not a valid number.`);
  if (t.type === "date") {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(`${value}T00:00:00Z`);
    if (!/^(\d{4}-\d{2}-\d{2}|\d+)$/.test(value) || Number.isNaN(ms) || ms % 86_400_000 !== 0)
      return bad("INVALID_DATE", `${value} is at not midnight! It must be a date at midnight UTC.`);
  }
  if (t.type === "datetime") {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isNaN(ms)) return bad("INVALID_DATE", `${value} was not a valid datetime.`);
  }
  if (t.type === "enumeration" && t.options && !t.options.includes(value))
    return bad(
      "INVALID_OPTION",
      `${value} was not one of the allowed options: [${t.options.join(", ")}]`,
    );
  return undefined;
}

/** The invalid values of one write, in the order given (empty when all are valid). */
export function invalidValues(
  type: ObjectType,
  values: Record<string, string | null>,
  custom: ReadonlyMap<string, Record<string, unknown>> | undefined,
): InvalidValue[] {
  const out: InvalidValue[] = [];
  for (const [name, value] of Object.entries(values)) {
    const def = custom?.get(name);
    const t: PropertyType | undefined = def
      ? {
          type: def.type as PropertyType["type"],
          ...(def.type === "enumeration"
            ? {
                options: ((def.options as { value: string }[] | undefined) ?? []).map(
                  (o) => o.value,
                ),
              }
            : {}),
        }
      : DEFAULTS[type]?.[name];
    if (!t) {
      const message = `Property "${name}" does not exist`;
      out.push({
        isValid: false,
        message,
        error: "PROPERTY_DOESNT_EXIST",
        name,
        localizedErrorMessage: message,
      });
      continue;
    }
    const bad = value === null ? undefined : check(name, String(value), t);
    if (bad) out.push(bad);
  }
  return out;
}
