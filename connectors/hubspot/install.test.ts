// HubSpot install: authorize URL, code exchange and single-flight refresh against the sandbox.
import { afterEach, describe, expect, it } from "vitest";
import { createTokenKeeper } from "../tokens.ts";
import {
  authorizeUrl,
  exchangeCode,
  type HubSpotApp,
  REFRESH_AHEAD_MS,
  refreshTokens,
  SCOPES,
  tokenInfo,
} from "./install.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "./sandbox/server.ts";

let sandbox: HubSpotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const app = (url: string): HubSpotApp => ({
  clientId: "sandbox-client",
  clientSecret: "sandbox-secret",
  redirectUri: "https://ebb.example.com/oauth/hubspot/callback",
  authBaseUrl: url,
  apiBaseUrl: url,
});

const tokenCalls = (sb: HubSpotSandbox) =>
  sb.state.calls.filter((c) => c.path === "/oauth/2026-03/token");

describe("HubSpot install", () => {
  it("builds the authorize URL with the client, redirect, exactly Ebb's scopes and the state", () => {
    const url = new URL(authorizeUrl(app("https://app.hubspot.com"), "st4te"));
    expect(url.origin + url.pathname).toBe("https://app.hubspot.com/oauth/authorize");
    expect(url.searchParams.get("state")).toBe("st4te");
    expect(url.searchParams.get("client_id")).toBe("sandbox-client");
    expect(url.searchParams.get("redirect_uri")).toBe(
      "https://ebb.example.com/oauth/hubspot/callback",
    );
    expect(url.searchParams.get("scope")?.split(" ")).toEqual([...SCOPES]);
  });

  it("exchanges a code for tokens that expire in 30 minutes", async () => {
    sandbox = await startHubSpotSandbox();
    const tokens = await exchangeCode(app(sandbox.url), "sandbox-code", 1_000);
    expect(tokens.accessToken).toMatch(/^sandbox-token-/);
    expect(tokens.refreshToken).toBe("sandbox-refresh-token");
    expect(tokens.expiresAt).toBe(1_000 + 30 * 60_000);
  });

  it("fails a bad code or refresh token as `auth`, naming HubSpot's error category", async () => {
    sandbox = await startHubSpotSandbox();
    await expect(exchangeCode(app(sandbox.url), "forged", 0)).rejects.toMatchObject({
      code: "auth",
      status: 400,
      message: expect.stringContaining("BAD_AUTH_CODE"),
    });
    await expect(refreshTokens(app(sandbox.url), "revoked", 0)).rejects.toMatchObject({
      code: "auth",
      message: expect.stringContaining("BAD_REFRESH_TOKEN"),
    });
  });

  it("speaks the date-versioned OAuth API only (v1 is deprecated, unsupported from 2027-02-16)", async () => {
    // PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json: post-/oauth/2026-03/token and
    // post-/oauth/2026-03/token/introspect, form bodies, standardized error bodies.
    sandbox = await startHubSpotSandbox({ portalId: 4_242, user: "owner@acme.example" });
    const tokens = await exchangeCode(app(sandbox.url), "sandbox-code", 0);
    expect(await tokenInfo(app(sandbox.url), tokens.accessToken)).toEqual({
      portalId: "4242",
      user: "owner@acme.example",
    });
    expect(sandbox.state.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      "POST /oauth/2026-03/token 200",
      "POST /oauth/2026-03/token/introspect 200",
    ]);
    const v1 = await fetch(`${sandbox.url}/oauth/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=sandbox-code",
    });
    expect(v1.status).toBe(404);
    expect(((await v1.json()) as { category: string }).category).toBe("OBJECT_NOT_FOUND");
  });

  it("refreshes ahead of expiry, once, however many callers ask at the same moment", async () => {
    sandbox = await startHubSpotSandbox();
    let now = 0;
    const saved: string[] = [];
    const hub = app(sandbox.url);
    // As the connection gate keeps them: the shared keeper, refreshing through HubSpot's endpoint.
    const keeper = createTokenKeeper(
      { accessToken: "old", refreshToken: "sandbox-refresh-token", expiresAt: 30 * 60_000 },
      {
        refresh: (refreshToken, at) => refreshTokens(hub, refreshToken, at),
        aheadMs: REFRESH_AHEAD_MS,
        now: () => now,
        save: async (t) => {
          saved.push(t.accessToken);
        },
      },
    );
    expect(await keeper.accessToken()).toBe("old");
    now = 26 * 60_000; // within five minutes of expiry
    const all = await Promise.all(Array.from({ length: 20 }, () => keeper.accessToken()));
    expect(new Set(all).size).toBe(1);
    expect(all[0]).toMatch(/^sandbox-token-/);
    expect(keeper.refreshes()).toBe(1);
    expect(tokenCalls(sandbox)).toHaveLength(1);
    expect(saved).toEqual([all[0]]);
  });
});
