// The HubSpot developer project: its files against the documented hsmeta shapes, and the card
// rendering a real card response with HubSpot's own testing utilities.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Heading, StatisticsItem, Tag, Text } from "@hubspot/ui-extensions";
import { createRenderer } from "@hubspot/ui-extensions/testing";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { HealthSnapshot, Task } from "../../core/model.ts";
import { accountViewOf } from "../account-view.ts";
import { oauthCallbackPath, webhooksPath } from "../routes.ts";
import { HubSpotCardResponse, toCardResponse } from "./card.ts";
import { SCOPES } from "./install.ts";
import { toChangeMark, webhooksComponent } from "./webhooks.ts";

const ROOT = join(import.meta.dirname, "extension");
const json = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

/** hsproject.json, app-hsmeta.json and card *-hsmeta.json as HubSpot documents them (platform 2025.2+). */
const Project = z.object({
  name: z.string().min(1),
  srcDir: z.string(),
  platformVersion: z.string().regex(/^20\d\d\.\d$/),
});
const App = z.object({
  uid: z.string().min(1),
  type: z.literal("app"),
  config: z.object({
    name: z.string().min(1),
    description: z.string(),
    distribution: z.enum(["marketplace", "private"]),
    auth: z.object({
      type: z.literal("oauth"),
      redirectUrls: z.array(z.url()).min(1),
      requiredScopes: z.array(z.string()),
      optionalScopes: z.array(z.string()),
      conditionallyRequiredScopes: z.array(z.string()),
    }),
    permittedUrls: z.object({
      fetch: z.array(z.url()),
      iframe: z.array(z.string()),
      img: z.array(z.string()),
    }),
    support: z.object({ supportEmail: z.email(), documentationUrl: z.url(), supportUrl: z.url() }),
  }),
});
const Card = z.object({
  uid: z.string().min(1),
  type: z.literal("card"),
  config: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    location: z.enum(["crm.record.tab", "crm.record.sidebar", "crm.preview", "helpdesk.sidebar"]),
    entrypoint: z.string().startsWith("/app/cards/"),
    objectTypes: z.array(z.string()).min(1),
  }),
});

describe("the HubSpot app card project", () => {
  it("has a project on platform 2025.2 or later", () => {
    const p = Project.parse(json("hsproject.json"));
    expect(Number(p.platformVersion)).toBeGreaterThanOrEqual(2025.2);
    expect(existsSync(join(ROOT, p.srcDir, "app", "app-hsmeta.json"))).toBe(true);
  });

  it("asks for exactly the scopes Ebb uses and may fetch only from Ebb's Worker", () => {
    const app = App.parse(json("src/app/app-hsmeta.json"));
    expect(app.config.auth.requiredScopes).toEqual([...SCOPES]);
    expect(app.config.permittedUrls.fetch).toEqual(["https://ebb.example.com"]);
  });

  it("redirects OAuth to the Worker's own callback, over https or to localhost only", () => {
    // HubSpot accepts plain http for localhost only; the path is the one the Worker serves.
    const app = App.parse(json("src/app/app-hsmeta.json"));
    for (const u of app.config.auth.redirectUrls.map((r) => new URL(r))) {
      expect(u.pathname).toBe(oauthCallbackPath("hubspot"));
      expect(u.protocol === "https:" || u.hostname === "localhost", u.href).toBe(true);
    }
  });

  it("declares its webhook subscriptions in a webhooks component aimed at the Worker's route", () => {
    // Regenerate with webhooksComponent() when the pulled properties change.
    const file = json("src/app/webhooks/webhooks-hsmeta.json");
    expect(file).toEqual(webhooksComponent(`https://ebb.example.com${webhooksPath("hubspot")}`));
  });

  it("maps every event kind the project subscribes to", () => {
    const { subscriptions } = webhooksComponent("https://ebb.example.com/hubspot/webhooks").config;
    const all = [
      ...subscriptions.legacyCrmObjects.map((x) => ({ subscriptionType: x.subscriptionType })),
      ...subscriptions.crmObjects.map((x) => ({
        subscriptionType: x.subscriptionType,
        objectTypeId: { call: "0-48", email: "0-49", meeting: "0-47", note: "0-46", task: "0-27" }[
          x.objectType
        ],
      })),
      ...subscriptions.hubEvents.map((x) => ({ subscriptionType: x.subscriptionType })),
    ];
    for (const sub of all) {
      const change = sub.subscriptionType.split(".")[1];
      const mark = toChangeMark({
        eventId: "1",
        portalId: "1",
        objectId: "7",
        occurredAt: 1,
        mergedObjectIds: ["8"],
        primaryObjectId: "7",
        ...sub,
      });
      const where = JSON.stringify(sub);
      expect(
        ["company", "contact", "ticket", "call", "email", "meeting", "note", "task"],
        where,
      ).toContain(mark.objectType);
      if (change === "deletion" || change === "privacyDeletion")
        expect(mark.deleted, where).toHaveLength(1);
      if (change === "merge") expect((mark.deleted ?? mark.merged ?? []).length, where).toBe(1);
    }
  });

  it("puts a card on company records whose entrypoint exists", () => {
    const card = Card.parse(json("src/app/cards/ebb-health-hsmeta.json"));
    expect(card.config.objectTypes).toEqual(["companies"]);
    expect(existsSync(join(ROOT, "src", card.config.entrypoint))).toBe(true);
    const pkg = json("src/app/cards/package.json") as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["@hubspot/ui-extensions", "react"]),
    );
  });
});

const snapshot = (day: string, score: number): HealthSnapshot => ({
  accountId: "hs-company-500",
  day,
  score,
  band: score < 45 ? "at_risk" : "watch",
  trend: "decaying",
  coverage: 0.86,
  signals: [
    {
      key: "usage_drop",
      risk: 0.9,
      weight: 0.75,
      evidence: "Active users averaged 3 a day over the last 14 days, down 80% from the usual 15.",
    },
    {
      key: "going_dark",
      risk: 0.4,
      weight: 0.6,
      evidence: "Last heard from 40 days ago; usual gap is 7 days.",
    },
    {
      key: "ticket_flood",
      risk: 0,
      weight: 0.45,
      evidence: "No burst of tickets on one topic in the last 14 days.",
    },
  ],
});

describe("the card", () => {
  const days = Array.from({ length: 120 }, (_, k) =>
    new Date(Date.UTC(2025, 0, 1 + k)).toISOString().slice(0, 10),
  );
  const task: Task = {
    accountId: "a",
    playbook: "adoption-rescue",
    title: "Ebb: Co is at risk — usage drop",
    body: "",
    dueAt: "2025-05-03",
    priority: "high",
    dedupeKey: "a/adoption-rescue/2025-04-30",
    action: "open",
  };
  const account = { id: "a", name: "Co" };
  const response = toCardResponse(
    "500",
    accountViewOf(
      account,
      snapshot(days.at(-1) ?? "", 90 - Math.floor((days.length - 1) / 2)),
      days.map((day, k) => ({ day, score: 90 - Math.floor(k / 2) })),
      [task],
    ),
  );

  it("answers with the documented response: latest score, top reasons, 90 days, open tasks", () => {
    const parsed = HubSpotCardResponse.parse(response);
    if (parsed.status !== "scored") throw new Error("expected a scored company");
    expect(parsed.score).toBe(31);
    expect(parsed.series).toHaveLength(90);
    expect(parsed.reasons.map((r) => r.key)).toEqual(["usage_drop", "going_dark"]);
    expect(
      HubSpotCardResponse.parse(toCardResponse("9", accountViewOf(account, undefined, [], []))),
    ).toEqual({
      status: "not_scored",
      companyId: "9",
    });
  });

  // Rendered with HubSpot's own testing utilities (@hubspot/ui-extensions/testing, the version the
  // card pins), as the card renders in a company record's tab.
  it("renders score, band, trend, coverage, reasons with evidence and open tasks", async () => {
    const { HealthView, sparkline } = await import("./extension/src/app/cards/EbbHealthCard.jsx");
    const { render, find, findAll } = createRenderer("crm.record.tab");
    render(createElement(HealthView, { data: response }));
    expect(find(Heading).text).toBe("31/100");
    expect(find(Tag).props.variant).toBe("error");
    expect(find(Tag).text).toBe("At risk");
    expect(findAll(Text).map((t) => t.text)).toEqual(
      expect.arrayContaining([
        "↘ decaying",
        // A reason is its label (bold, inline) and its evidence.
        "Usage drop:",
        " Active users averaged 3 a day over the last 14 days, down 80% from the usual 15.",
        "Ebb: Co is at risk — usage drop — due 2025-05-03 (high)",
      ]),
    );
    expect(find(StatisticsItem, { label: "Coverage" }).props.number).toBe("86%");
    expect(sparkline([{ score: 0 }, { score: 50 }, { score: 100 }])).toBe("▁▅█");
  });

  it("says so when Ebb has not scored the company yet", async () => {
    const { HealthView } = await import("./extension/src/app/cards/EbbHealthCard.jsx");
    const { render, find } = createRenderer("crm.record.tab");
    render(createElement(HealthView, { data: { status: "not_scored", companyId: "1" } }));
    expect(find(Text).text).toContain("has not scored this company yet");
  });

  it("pins the version of HubSpot's UI components it is tested with", () => {
    const card = JSON.parse(readFileSync(join(ROOT, "src/app/cards/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const root = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../package.json"), "utf8"),
    ) as { devDependencies: Record<string, string> };
    expect(card.dependencies["@hubspot/ui-extensions"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(card.dependencies["@hubspot/ui-extensions"]).toBe(
      root.devDependencies["@hubspot/ui-extensions"],
    );
    expect(card.dependencies.react).toBe(root.devDependencies.react);
  });
});
