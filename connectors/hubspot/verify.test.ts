// HubSpot v3 signatures against the documented algorithm, and every way a request can fail it.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalUri, signHubSpotRequest, verifyHubSpotSignature } from "./verify.ts";

const SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const NOW = 1_764_000_000_000;
const request = {
  method: "POST",
  uri: "https://ebb.example.com/hubspot/card?portalId=62515&objectId=42",
  body: '{"objectId":42}',
};

/** The documented algorithm, written independently with node:crypto. */
function documented(method: string, uri: string, body: string, timestamp: string): string {
  return createHmac("sha256", SECRET)
    .update(`${method}${uri}${body}${timestamp}`, "utf8")
    .digest("base64");
}

describe("HubSpot v3 signatures", () => {
  it("accepts a request signed by the documented algorithm", async () => {
    const timestamp = String(NOW - 60_000);
    const signature = documented(request.method, request.uri, request.body, timestamp);
    expect(await verifyHubSpotSignature({ ...request, signature, timestamp }, SECRET, NOW)).toEqual(
      { ok: true },
    );
  });

  it("signs exactly as the documented algorithm does", async () => {
    const signed = await signHubSpotRequest(request, SECRET, NOW);
    expect(signed.signature).toBe(
      documented(request.method, request.uri, request.body, String(NOW)),
    );
  });

  it("decodes the characters HubSpot decodes before signing", async () => {
    const encoded = "https://ebb.example.com/hubspot/webhook?x=a%3Ab%2Cc%40d%20e";
    expect(canonicalUri(encoded)).toBe("https://ebb.example.com/hubspot/webhook?x=a:b,c@d%20e");
    const timestamp = String(NOW);
    const signature = documented(
      "GET",
      "https://ebb.example.com/hubspot/webhook?x=a:b,c@d%20e",
      "",
      timestamp,
    );
    expect(
      await verifyHubSpotSignature(
        { method: "GET", uri: encoded, body: "", signature, timestamp },
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: true });
  });

  it("rejects a request older than five minutes, even with a valid signature", async () => {
    const timestamp = String(NOW - 5 * 60_000 - 1);
    const signature = documented(request.method, request.uri, request.body, timestamp);
    expect(await verifyHubSpotSignature({ ...request, signature, timestamp }, SECRET, NOW)).toEqual(
      { ok: false, reason: "stale" },
    );
  });

  it.each([
    ["a tampered body", { body: '{"objectId":43}' }],
    ["a tampered URI", { uri: `${request.uri}&portalId=1` }],
    ["another method", { method: "GET" }],
  ])("rejects %s", async (_what, change) => {
    const timestamp = String(NOW);
    const signature = documented(request.method, request.uri, request.body, timestamp);
    expect(
      await verifyHubSpotSignature({ ...request, ...change, signature, timestamp }, SECRET, NOW),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a signature made with the wrong secret", async () => {
    const timestamp = String(NOW);
    const signature = createHmac("sha256", "another-secret")
      .update(`POST${request.uri}${request.body}${timestamp}`)
      .digest("base64");
    expect(await verifyHubSpotSignature({ ...request, signature, timestamp }, SECRET, NOW)).toEqual(
      { ok: false, reason: "bad_signature" },
    );
  });

  it("rejects missing headers and a signature that is not base64", async () => {
    expect(
      await verifyHubSpotSignature(
        { ...request, signature: undefined, timestamp: String(NOW) },
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: false, reason: "missing" });
    expect(
      await verifyHubSpotSignature(
        { ...request, signature: "abc", timestamp: "yesterday" },
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: false, reason: "missing" });
    expect(
      await verifyHubSpotSignature(
        { ...request, signature: "%%%", timestamp: String(NOW) },
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });
});
