// Scopes: HubSpot answers a call the install's token was not granted the scope for with 403,
// category MISSING_SCOPES, naming the scopes it needs in `errors[].context.requiredScopes` (the
// shape HubSpot's API returns; see HubSpot/hubspot-api-nodejs issues 50 and 268). The sandbox grants
// every scope Ebb asks for unless a test withholds some (POST /__sandbox/scopes), as an install
// whose portal or installer cannot grant them would be.
// Which scope each call needs is the `security` of its operation in HubSpot's spec collection
// (PublicApiSpecs/CRM/{Companies,Contacts,Tickets,Calls,Notes,…}/Rollouts/424/v3/*.json: reads
// `crm.objects.<type>.read`, writes `.write`, tickets `tickets`, the engagement objects the
// contacts scopes; Crm Owners v3: `crm.objects.owners.read`). For association batch reads and
// property creation the spec lists any of many object types' scopes; the sandbox asks for the one
// of the type named in the path (the from-type's read scope; `crm.schemas.companies.write`).

const OBJECT_SCOPES: Record<string, { read: string; write: string }> = {
  companies: { read: "crm.objects.companies.read", write: "crm.objects.companies.write" },
  contacts: { read: "crm.objects.contacts.read", write: "crm.objects.contacts.write" },
  tickets: { read: "tickets", write: "tickets" },
};
/** Engagements (calls, emails, meetings, notes, tasks) go with contacts' scopes in Ebb's scope set. */
const ENGAGEMENT_SCOPES = OBJECT_SCOPES.contacts as { read: string; write: string };

/** The scope a call needs, or undefined for calls no scope guards. */
export function requiredScope(method: string, path: string): string | undefined {
  if (path === "/crm/v3/owners" || path.startsWith("/crm/v3/owners/"))
    return "crm.objects.owners.read";
  const props = /^\/crm\/v3\/properties\/([a-z]+)/.exec(path);
  if (props) return method === "GET" ? undefined : "crm.schemas.companies.write";
  const assoc = /^\/crm\/v4\/associations\/([a-z]+)\//.exec(path);
  const objects = /^\/crm\/v3\/objects\/([a-z]+)(\/.*)?$/.exec(path);
  const type = assoc?.[1] ?? objects?.[1];
  if (!type) return undefined;
  const scopes = OBJECT_SCOPES[type] ?? ENGAGEMENT_SCOPES;
  // Search and batch read are POSTs that read.
  const reads = method === "GET" || /\/(search|batch\/read)$/.test(path) || assoc !== null;
  return reads ? scopes.read : scopes.write;
}

export function missingScopeBody(scope: string) {
  return {
    message:
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    extra: {
      category: "MISSING_SCOPES",
      errors: [
        {
          message: "One or more of the following scopes are required.",
          context: { requiredScopes: [scope] },
        },
      ],
      links: { scopes: "https://developers.hubspot.com/scopes" },
    },
  };
}
