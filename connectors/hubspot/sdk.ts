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
    oauth: {
      tokensApi: new oauth.TokensApi(configure(oauth as never, basePath)),
      accessTokensApi: new oauth.AccessTokensApi(configure(oauth as never, basePath)),
    },
  });
  let apis = build();
  let current: string | undefined;
  return {
    get crm() {
      return apis.crm;
    },
    get oauth() {
      return apis.oauth;
    },
    /** Like `Client.setAccessToken`: the next calls carry this token. */
    setAccessToken(token: string) {
      if (token === current) return;
      current = token;
      apis = build(token);
    },
  };
}
