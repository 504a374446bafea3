// Every route the sandbox serves, with the HubSpot specification it emulates (files of
// github.com/HubSpot/HubSpot-public-api-spec-collection, cited by path and operation id; read, not
// copied), and every size limit it enforces with where HubSpot states it. The sandbox's route test
// walks this list.

/** The CRM object types the sandbox holds, and the spec file of each one's v3 objects API. */
export const OBJECT_SPECS = {
  companies: "PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json",
  contacts: "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json",
  tickets: "PublicApiSpecs/CRM/Tickets/Rollouts/424/v3/tickets.json",
  calls: "PublicApiSpecs/CRM/Calls/Rollouts/424/v3/calls.json",
  emails: "PublicApiSpecs/CRM/Emails/Rollouts/424/v3/emails.json",
  meetings: "PublicApiSpecs/CRM/Meetings/Rollouts/424/v3/meetings.json",
  notes: "PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json",
  tasks: "PublicApiSpecs/CRM/Tasks/Rollouts/424/v3/tasks.json",
} as const;

const ASSOCIATIONS = "PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json";
const PROPERTIES = "PublicApiSpecs/CRM/Properties/Rollouts/145899/v3/properties.json";
const OWNERS = "PublicApiSpecs/CRM/Crm Owners/Rollouts/146888/v3/crmOwners.json";
const OAUTH = "PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json";

export interface SandboxRoute {
  method: "GET" | "POST";
  /** `{objectType}` is each key of OBJECT_SPECS; other braces are path parameters. */
  path: string;
  /** Spec file and operation id, or the documentation page for what no spec covers. */
  spec: string;
  operation: string;
}

const perObject = (method: "GET" | "POST", suffix: string, op: string): SandboxRoute[] =>
  Object.entries(OBJECT_SPECS).map(([type, spec]) => ({
    method,
    path: `/crm/v3/objects/${type}${suffix}`,
    spec,
    operation: `${method.toLowerCase()}-/crm/v3/objects/${type}${suffix}_${op}`,
  }));

export const SANDBOX_ROUTES: readonly SandboxRoute[] = [
  ...perObject("GET", "", "getPage"),
  ...perObject("POST", "/search", "doSearch"),
  ...perObject("POST", "/batch/read", "read"),
  ...perObject("POST", "/batch/create", "create"),
  ...perObject("POST", "/batch/update", "update"),
  {
    method: "POST",
    path: "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
    spec: ASSOCIATIONS,
    operation: "post-/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read_getPage",
  },
  {
    method: "POST",
    path: "/crm/v3/properties/{objectType}",
    spec: PROPERTIES,
    operation: "post-/crm/v3/properties/{objectType}_create",
  },
  {
    method: "GET",
    path: "/crm/v3/properties/{objectType}/{propertyName}",
    spec: PROPERTIES,
    operation: "get-/crm/v3/properties/{objectType}/{propertyName}_getByName",
  },
  {
    method: "POST",
    path: "/crm/v3/properties/{objectType}/groups",
    spec: PROPERTIES,
    operation: "post-/crm/v3/properties/{objectType}/groups_create",
  },
  {
    method: "GET",
    path: "/crm/v3/owners",
    spec: OWNERS,
    operation: "get-/crm/v3/owners_/crm/v3/owners",
  },
  {
    method: "POST",
    path: "/oauth/2026-03/token",
    spec: OAUTH,
    operation: "post-/oauth/2026-03/token_/oauth/v3/token",
  },
  {
    method: "POST",
    path: "/oauth/2026-03/token/introspect",
    spec: OAUTH,
    operation: "post-/oauth/2026-03/token/introspect_/oauth/v3/token/introspect",
  },
  {
    method: "GET",
    path: "/oauth/authorize",
    spec: "developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth",
    operation: "the install consent screen (a browser page, not an API operation)",
  },
];

export interface SandboxLimit {
  name: string;
  value: number;
  source: string;
}

/** The sizes the sandbox enforces, each with where HubSpot states it. */
export const SANDBOX_LIMITS: readonly SandboxLimit[] = [
  {
    name: "search page",
    value: 200,
    source: `${OBJECT_SPECS.companies}: PublicObjectSearchRequest.limit, "up to 200 objects"`,
  },
  {
    name: "search results per query",
    value: 10_000,
    source:
      "developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm, Limitations (10,000 results a query; paging past it is a 400)",
  },
  {
    name: "batch inputs",
    value: 100,
    source: "VENDORS.md, HubSpot limits: batch read/create/update take 100 records a call",
  },
  {
    name: "batch read inputs with property history",
    value: 50,
    source:
      'HubSpot\'s 400 VALIDATION_ERROR: "The maximum number of inputs supported in a batch request for property histories is 50"',
  },
  {
    name: "association batch read inputs",
    value: 1000,
    source:
      "developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api: 1000 IDs per request",
  },
  {
    name: "list page",
    value: 100,
    source: "VENDORS.md, HubSpot limits: list endpoints, 100 a page",
  },
  {
    name: "owners page",
    value: 100,
    source: `${OWNERS}: get-/crm/v3/owners_/crm/v3/owners, limit default 100 (no maximum published)`,
  },
  {
    name: "requests per 10 s",
    value: 110,
    source:
      "VENDORS.md, HubSpot limits: marketplace apps, 110 requests per 10 s per installed portal (developers.hubspot.com/docs/guides/apps/api-usage/usage-details)",
  },
  {
    name: "searches per second",
    value: 5,
    source:
      "VENDORS.md, HubSpot limits: CRM search, 5 requests per second (search-the-crm, Limitations)",
  },
];
