// Installing in Salesforce: the web-server flow with PKCE (the sandbox checks the verifier against
// the challenge, as Salesforce does), the org named by its id from userinfo, calls sent to the
// token answer's instance_url; refresh tokens rotate, and refreshes of one connection are
// single-flight: presenting a rotated-away token would revoke the install.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { sandboxApp } from "../../tests/support/salesforce.ts";
import { createTokenKeeper } from "../tokens.ts";
import { salesforce } from "./index.ts";
import { authorizeUrl, exchangeCode, refreshTokens } from "./install.ts";
import { type SalesforceSandbox, startSalesforceSandbox } from "./sandbox/server.ts";

let sandbox: SalesforceSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const verifier = "a-verifier-of-enough-length-0123456789-abcdefghijk";
const challenge = createHash("sha256").update(verifier).digest("base64url");

async function consent(s: SalesforceSandbox, withChallenge = true): Promise<string> {
  const app = sandboxApp(s);
  const res = await fetch(authorizeUrl(app, "state-1", withChallenge ? challenge : undefined), {
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location") ?? "");
  expect(back.searchParams.get("state")).toBe("state-1");
  return back.searchParams.get("code") ?? "";
}

describe("Salesforce install", () => {
  it("exchanges the code only with the PKCE verifier, and names the org by its id", async () => {
    sandbox = await startSalesforceSandbox();
    const app = sandboxApp(sandbox);
    const consentUrl = new URL(authorizeUrl(app, "s", challenge));
    expect(consentUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(consentUrl.searchParams.get("scope")).toBe("api refresh_token");
    await expect(exchangeCode(app, await consent(sandbox), Date.now())).rejects.toMatchObject({
      code: "auth",
    });
    await expect(
      exchangeCode(app, await consent(sandbox), Date.now(), `${verifier}x`),
    ).rejects.toMatchObject({ code: "auth", message: expect.stringContaining("invalid_grant") });
    const tokens = await exchangeCode(app, await consent(sandbox), Date.now(), verifier);
    expect(tokens.instanceUrl).toBe(sandbox.url);
    expect(tokens.refreshToken.length).toBeGreaterThan(10);
    const vendorApp = {
      config: salesforce.config.parse({
        SALESFORCE_CLIENT_ID: app.clientId,
        SALESFORCE_CLIENT_SECRET: app.clientSecret,
        SALESFORCE_LOGIN_URL: sandbox.url,
      }),
      redirectUri: app.redirectUri,
    };
    const who = await salesforce.install.identify(vendorApp, tokens);
    expect(who.externalId).toBe(sandbox.state.orgId);
    expect(who.user).toBe("admin@acme.example");
  });

  it("refreshes once for 20 concurrent callers; a rotated-away refresh token revokes everything", async () => {
    sandbox = await startSalesforceSandbox();
    const app = sandboxApp(sandbox);
    let t = Date.now();
    const keeper = createTokenKeeper(
      { accessToken: sandbox.token, refreshToken: sandbox.refreshToken, expiresAt: t + 60_000 },
      { refresh: (rt, now) => refreshTokens(app, rt, now), aheadMs: 120_000, now: () => t },
    );
    const tokens = await Promise.all(Array.from({ length: 20 }, () => keeper.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(sandbox.refreshes).toBe(1);
    expect(sandbox.staleRefreshes).toBe(0);
    // What a second, racing refresh would do: the old token again. Salesforce revokes the family.
    await expect(refreshTokens(app, sandbox.refreshToken, t)).rejects.toMatchObject({
      code: "auth",
    });
    expect(sandbox.staleRefreshes).toBe(1);
    t += 1;
    await expect(refreshTokens(app, keeper.current().refreshToken, t)).rejects.toMatchObject({
      code: "auth",
    });
  });
});
