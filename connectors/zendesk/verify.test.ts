// Requests that claim to come from Zendesk: webhook signatures (HMAC over timestamp + body, five
// minutes either way) and the ZAF signed-URL JWT (RS256 under the app's key, iss and aud checked,
// expiry enforced).
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signZendeskWebhook, verifyAppToken, verifyZendeskWebhook } from "./verify.ts";

const secret = "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0";
const body = '{"type":"zen:event-type:ticket.status_changed","detail":{"id":"35"}}';

const sign = (timestamp: string, raw: string, key = secret) =>
  signZendeskWebhook(key, timestamp, raw);

describe("Zendesk webhook signatures", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  const timestamp = "2026-12-02T09:58:30Z";

  it("accepts a delivery signed over its timestamp and raw body", async () => {
    const signature = await sign(timestamp, body);
    expect(await verifyZendeskWebhook({ body, signature, timestamp }, secret, now)).toEqual({
      ok: true,
    });
  });

  it("refuses a tampered body, a wrong secret, a moved timestamp and a missing header", async () => {
    const signature = await sign(timestamp, body);
    const tampered = await verifyZendeskWebhook(
      { body: body.replace("35", "36"), signature, timestamp },
      secret,
      now,
    );
    expect(tampered).toMatchObject({
      ok: false,
      reason: expect.stringContaining("does not match"),
    });
    const other = await verifyZendeskWebhook(
      { body, signature: await sign(timestamp, body, "other"), timestamp },
      secret,
      now,
    );
    expect(other.ok).toBe(false);
    const moved = await verifyZendeskWebhook(
      { body, signature, timestamp: "2026-12-02T09:58:31Z" },
      secret,
      now,
    );
    expect(moved.ok).toBe(false);
    expect(
      await verifyZendeskWebhook({ body, signature: null, timestamp }, secret, now),
    ).toMatchObject({ ok: false });
    expect(
      await verifyZendeskWebhook({ body, signature: "%%%", timestamp }, secret, now),
    ).toMatchObject({ ok: false });
  });

  it("refuses a stale delivery, even correctly signed (a replay)", async () => {
    const old = "2026-12-02T09:54:59Z";
    const signature = await sign(old, body);
    expect(
      await verifyZendeskWebhook({ body, signature, timestamp: old }, secret, now),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("5 minutes"),
    });
    const future = "2026-12-02T10:05:01Z";
    expect(
      await verifyZendeskWebhook(
        { body, signature: await sign(future, body), timestamp: future },
        secret,
        now,
      ),
    ).toMatchObject({ ok: false });
  });
});

describe("ZAF signed-URL JWT", async () => {
  const app = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  const pem = await exportSPKI(app.publicKey);
  const now = Date.parse("2026-12-02T10:00:00Z");
  const token = (claims: Record<string, unknown> = {}, key = app.privateKey, expSeconds = 300) =>
    new SignJWT({ context: { product: "support", location: "ticket_sidebar" }, ...claims })
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(String(claims.iss ?? "acme.zendesk.com"))
      .setAudience(
        String(claims.aud ?? "https://acme.zendesk.com/api/v2/apps/installations/360001.json"),
      )
      .setSubject("9001")
      .setIssuedAt(Math.floor(now / 1000) - 10)
      .setExpirationTime(Math.floor(now / 1000) + expSeconds)
      .sign(key);

  it("accepts Zendesk's token for an installation of the issuing account, and names both", async () => {
    expect(await verifyAppToken(await token(), pem, now)).toEqual({
      ok: true,
      subdomain: "acme",
      installationId: "360001",
      userId: "9001",
    });
  });

  it("refuses an expired token, a tampered one, one under another key, and wrong aud or iss", async () => {
    const expired = await verifyAppToken(await token({}, app.privateKey, -1), pem, now);
    expect(expired).toMatchObject({ ok: false, reason: expect.stringContaining("expired") });
    const good = await token();
    const [h, p, s] = good.split(".");
    const forged = `${h}.${btoa(JSON.stringify({ iss: "evil.zendesk.com", aud: "x", exp: 9e9 })).replace(/=+$/, "")}.${s}`;
    expect(await verifyAppToken(forged, pem, now)).toMatchObject({ ok: false });
    expect(p).toBeTruthy();
    expect(await verifyAppToken(await token({}, other.privateKey), pem, now)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("signature"),
    });
    // An installation of another account, or an audience that is not an installation at all.
    expect(
      await verifyAppToken(
        await token({ aud: "https://globex.zendesk.com/api/v2/apps/installations/1.json" }),
        pem,
        now,
      ),
    ).toMatchObject({ ok: false });
    expect(
      await verifyAppToken(await token({ aud: "https://ebb.example/sidebar" }), pem, now),
    ).toMatchObject({ ok: false });
    expect(await verifyAppToken(await token({ iss: "acme.example.com" }), pem, now)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not a Zendesk account"),
    });
    expect(await verifyAppToken("", pem, now)).toMatchObject({ ok: false });
    expect(await verifyAppToken(await token(), "not a key", now)).toMatchObject({ ok: false });
  });

  it("refuses a token that is not RS256 (an HS256 token keyed with the public key)", async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("acme.zendesk.com")
      .setAudience("https://acme.zendesk.com/api/v2/apps/installations/360001.json")
      .setExpirationTime(Math.floor(now / 1000) + 60)
      .sign(new TextEncoder().encode(pem));
    expect(await verifyAppToken(hs, pem, now)).toMatchObject({ ok: false });
  });
});
