// The parts of the official HubSpot SDK (@hubspot/api-client) this connector calls, imported one
// API module at a time and configured exactly as the SDK's own `Client` configures them
// (ApiClientConfigurator: base path, OAuth token, User-Agent). Importing `Client` itself pulls every
// HubSpot API into the Worker's bundle (~12 MB); these five modules are what Ebb needs.
import * as associations from "@hubspot/api-client/lib/codegen/crm/associations/v4/index.js";
import * as objects from "@hubspot/api-client/lib/codegen/crm/objects/index.js";
import * as owners from "@hubspot/api-client/lib/codegen/crm/owners/index.js";
import * as properties from "@hubspot/api-client/lib/codegen/crm/properties/index.js";
import * as oauth from "@hubspot/api-client/lib/codegen/oauth/index.js";
import { ApiClientConfigurator } from "@hubspot/api-client/lib/src/configuration/ApiClientConfigurator.js";

interface Module {
  createConfiguration(c: object): unknown;
  ServerConfiguration: new (url: string, vars: Record<string, string>) => unknown;
  Observable: new (p: Promise<unknown>) => unknown;
}

function configure<M extends Module>(m: M, basePath: string, accessToken?: string) {
  // Retries are ours (connectors/limits.ts): the SDK's own retry decorator is not applied.
  return m.createConfiguration(
    ApiClientConfigurator.getParams(
      { basePath, ...(accessToken ? { accessToken } : {}), numberOfApiCallRetries: 0 },
      m.ServerConfiguration,
      m.Observable as never,
      m.Observable as never,
    ),
  ) as never;
}

/** HubSpot's date-versioned OAuth API (the SDK's generated TokensApi still speaks the deprecated v1). */
export const OAUTH_VERSION = "2026-03";

/**
 * POST a form to one of the date-versioned OAuth endpoints through the SDK's own HTTP layer (the
 * oauth module's configuration: base path, transport, no token). Resolves with the status and the
 * parsed JSON body, whatever the status.
 */
export async function oauthFormPost(
  basePath: string,
  endpoint: "token" | "token/introspect",
  form: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const config = configure(oauth as never, basePath) as unknown as {
    baseServer: {
      makeRequestContext(path: string, method: oauth.HttpMethod): oauth.RequestContext;
    };
    httpApi: { send(r: oauth.RequestContext): { toPromise(): Promise<oauth.ResponseContext> } };
  };
  const request = config.baseServer.makeRequestContext(
    `/oauth/${OAUTH_VERSION}/${endpoint}`,
    oauth.HttpMethod.POST,
  );
  request.setHeaderParam("Accept", "application/json");
  request.setHeaderParam("Content-Type", "application/x-www-form-urlencoded");
  request.setBody(new URLSearchParams(form).toString());
  const response = await config.httpApi.send(request).toPromise();
  const text = await response.body.text();
  return { status: response.httpStatusCode, body: text ? JSON.parse(text) : undefined };
}

export function createHubSpotSdk(basePath: string) {
  const build = (token?: string) => ({
    crm: {
      objects: {
        basicApi: new objects.BasicApi(configure(objects as never, basePath, token)),
        batchApi: new objects.BatchApi(configure(objects as never, basePath, token)),
        searchApi: new objects.SearchApi(configure(objects as never, basePath, token)),
      },
      associations: {
        v4: {
          batchApi: new associations.BatchApi(configure(associations as never, basePath, token)),
        },
      },
      owners: { ownersApi: new owners.OwnersApi(configure(owners as never, basePath, token)) },
      properties: {
        coreApi: new properties.CoreApi(configure(properties as never, basePath, token)),
        groupsApi: new properties.GroupsApi(configure(properties as never, basePath, token)),
      },
    },
  });
  let apis = build();
  let current: string | undefined;
  return {
    get crm() {
      return apis.crm;
    },
    /** Like `Client.setAccessToken`: the next calls carry this token. */
    setAccessToken(token: string) {
      if (token === current) return;
      current = token;
      apis = build(token);
    },
  };
}
