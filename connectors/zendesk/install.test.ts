// Installing in a Zendesk account: consent at the account's subdomain, the code exchanged, and
// refresh rotation — every refresh deletes the previous tokens, so 20 callers that find the token
// rejected at once cause exactly one refresh.
import { afterEach, describe, expect, it } from "vitest";
import { sandboxApp } from "../../tests/support/zendesk.ts";
import { ConnectorError } from "../errors.ts";
import { createTokenKeeper } from "../tokens.ts";
import { zendesk } from "./index.ts";
import { authorizeUrl, exchangeCode, refreshTokens } from "./install.ts";
import { startZendeskSandbox, type ZendeskSandbox } from "./sandbox/server.ts";

let sandbox: ZendeskSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("Zendesk install", () => {
  it("sends the admin to consent at their own subdomain, and refuses a subdomain that is not one", () => {
    const app = {
      clientId: "zdg-ebb",
      clientSecret: "s",
      redirectUri: "https://ebb.example/oauth/zendesk/callback",
      apiBaseTemplate: "https://{subdomain}.zendesk.com",
    };
    const u = new URL(authorizeUrl(app, "st", "acme"));
    expect(u.origin).toBe("https://acme.zendesk.com");
    expect(u.pathname).toBe("/oauth/authorizations/new");
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "zdg-ebb",
      state: "st",
      scope: "read write",
    });
    expect(() => authorizeUrl(app, "st", "evil.com/x")).toThrow(ConnectorError);
    expect(() => authorizeUrl(app, "st", undefined)).toThrow(/subdomain/);
  });

  it("exchanges a code once, and names the install by its subdomain", async () => {
    sandbox = await startZendeskSandbox();
    const app = sandboxApp(sandbox);
    const tokens = await exchangeCode(app, "sandbox-code", Date.now(), "acme");
    expect(tokens.accessToken).toMatch(/^zd-access-/);
    await expect(exchangeCode(app, "sandbox-code", Date.now(), "acme")).rejects.toMatchObject({
      code: "auth",
    });
    const who = await zendesk.install.identify(
      {
        config: zendesk.config.parse({
          ZENDESK_CLIENT_ID: "x",
          ZENDESK_CLIENT_SECRET: "y",

          ZENDESK_API_BASE: sandbox.url,
        }),
        redirectUri: "",
      },
      tokens,
      "acme",
    );
    expect(who).toMatchObject({ externalId: "acme", user: "admin@sandbox.example" });
  });

  it("names itself on every backend call with Zendesk's marketplace headers", async () => {
    sandbox = await startZendeskSandbox();
    const app = {
      config: zendesk.config.parse({
        ZENDESK_CLIENT_ID: "x",
        ZENDESK_CLIENT_SECRET: "y",
        ZENDESK_API_BASE: sandbox.url,
        ZENDESK_MARKETPLACE_ORG_ID: "4242",
        ZENDESK_MARKETPLACE_APP_ID: "987654",
      }),
      redirectUri: "",
    };
    await zendesk.install.identify(
      app,
      { accessToken: sandbox.token, refreshToken: "r", expiresAt: Date.now() + 60_000 },
      "acme",
    );
    expect(sandbox.state.calls.at(-1)?.marketplace).toEqual({
      "x-zendesk-marketplace-name": "Ebb",
      "x-zendesk-marketplace-organization-id": "4242",
      "x-zendesk-marketplace-app-id": "987654",
    });
  });

  it("refreshes once for 20 callers whose token was rejected together, and the old tokens stop working", async () => {
    sandbox = await startZendeskSandbox();
    const app = sandboxApp(sandbox);
    const keeper = createTokenKeeper(
      {
        accessToken: sandbox.token,
        refreshToken: sandbox.refreshToken,
        expiresAt: Date.now() + 3_600_000,
      },
      { refresh: (rt, now) => refreshTokens(app, rt, now), aheadMs: 60_000, now: () => Date.now() },
    );
    const old = sandbox.token;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => keeper.accessToken({ forceRefresh: true, rejected: old })),
    );
    expect(sandbox.refreshes).toBe(1);
    expect(sandbox.staleRefreshes).toBe(0);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).not.toBe(old);
    const me = (token: string) =>
      fetch(`${sandbox?.url}/api/v2/users/me.json`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await me(answers[0] as string)).status).toBe(200);
    expect((await me(old)).status).toBe(401);
    // The refresh token it replaced is gone too: reusing it is refused.
    await expect(refreshTokens(app, sandbox.refreshToken, Date.now())).rejects.toMatchObject({
      code: "auth",
    });
    expect(sandbox.staleRefreshes).toBe(1);
  });

  it("without single-flight, racing refreshes lose: the sandbox rotates as Zendesk does", async () => {
    sandbox = await startZendeskSandbox();
    const app = sandboxApp(sandbox);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => refreshTokens(app, sandbox?.refreshToken ?? "", Date.now())),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(sandbox.staleRefreshes).toBe(4);
  });
});
