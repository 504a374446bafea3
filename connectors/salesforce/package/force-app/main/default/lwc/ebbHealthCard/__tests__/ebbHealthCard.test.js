// The Ebb Health card, rendered by LWC's own engine under Salesforce's LWC Jest preset, with the
// Lightning Data Service adapters emitting what the org would: an at-risk account (reasons, the
// trend, an open task), a healthy one (one quiet line, no reasons), one Ebb has not scored, a
// churned one, and a viewer without access to the fields.
import { createElement } from "@lwc/engine-dom";
import EbbHealthCard, { parseSeries } from "c/ebbHealthCard";
import { graphql } from "lightning/graphql";
import { getRecord } from "lightning/uiRecordApi";

const atRisk = require("./data/atRisk.json");
const healthy = require("./data/healthy.json");
const unscored = require("./data/unscored.json");
const openTasks = require("./data/openTasks.json");

function mount(recordId) {
  const element = createElement("c-ebb-health-card", { is: EbbHealthCard });
  element.recordId = recordId;
  document.body.appendChild(element);
  return element;
}
const flush = () => Promise.resolve();
const text = (el, sel) =>
  Array.from(el.shadowRoot.querySelectorAll(sel)).map((n) =>
    n.textContent.replace(/\s+/g, " ").trim(),
  );

describe("c-ebb-health-card", () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it("shows an at-risk account: score, band, trend, coverage, reasons with evidence, the trend and open tasks", async () => {
    const el = mount(atRisk.id);
    getRecord.emit(atRisk);
    graphql.emit(openTasks);
    await flush();
    expect(text(el, ".score")).toEqual(["31"]);
    expect(text(el, ".band")).toEqual(["At risk"]);
    expect(el.shadowRoot.querySelector(".band").className).toContain("band-at_risk");
    expect(text(el, ".trend")).toEqual(["decaying"]);
    expect(text(el, ".facts")).toEqual(["Data coverage 86% · scored on 2026-12-01"]);
    expect(text(el, ".reason")).toEqual([
      "going dark: Last heard from 43 days ago; usual gap is 7 days.",
      "support experience: 4 escalations in the last 60 days; usual is 1.",
    ]);
    const chart = el.shadowRoot.querySelector("svg.chart");
    expect(chart.getAttribute("aria-label")).toBe(
      "Score over the last 3 days: 58 on 2026-11-29, 31 on 2026-12-01",
    );
    const points = chart.querySelector("polyline").getAttribute("points").split(" ");
    expect(points).toHaveLength(3);
    // Lower scores sit lower: y grows downwards.
    expect(Number(points[2].split(",")[1])).toBeGreaterThan(Number(points[0].split(",")[1]));
    expect(text(el, ".task")[0]).toContain("Ebb: re-engage the champion at Kotazen Works");
    expect(text(el, ".task")[0]).toContain("due 2026-12-04");
    expect(el.shadowRoot.querySelector(".unscored")).toBeNull();
    // The tasks are asked for this account.
    expect(graphql.getLastConfig().variables).toEqual({ accountId: atRisk.id });
  });

  it("shows a healthy account in one quiet line, without reasons or tasks", async () => {
    const el = mount(healthy.id);
    getRecord.emit(healthy);
    graphql.emit({ uiapi: { query: { Task: { edges: [] } } } });
    await flush();
    expect(text(el, ".score")).toEqual(["88"]);
    expect(text(el, ".band")).toEqual(["Healthy"]);
    expect(text(el, ".trend")).toEqual(["steady"]);
    expect(text(el, ".quiet")).toEqual(["No warning signs."]);
    expect(el.shadowRoot.querySelectorAll(".reason")).toHaveLength(0);
    expect(el.shadowRoot.querySelector(".tasks")).toBeNull();
  });

  it("says so for an account Ebb has not scored, and shows no numbers", async () => {
    const el = mount(unscored.id);
    getRecord.emit(unscored);
    await flush();
    expect(text(el, ".unscored")[0]).toContain("Ebb has not scored this account yet");
    expect(el.shadowRoot.querySelector(".score")).toBeNull();
    expect(el.shadowRoot.querySelector("svg.chart")).toBeNull();
  });

  it("shows a churned customer as churned, not with its last band", async () => {
    const churned = JSON.parse(JSON.stringify(atRisk));
    churned.fields.Health_Band__c.value = "churned";
    churned.fields.Health_Score__c.value = null;
    churned.fields.Top_Reasons__c.value = JSON.stringify([
      { label: "Churned", evidence: "Churned on 2026-10-18; Ebb no longer scores this customer." },
    ]);
    const el = mount(atRisk.id);
    getRecord.emit(churned);
    await flush();
    expect(text(el, ".churned")).toEqual([
      "Churned on 2026-10-18; Ebb no longer scores this customer.",
    ]);
    expect(el.shadowRoot.querySelector(".score")).toBeNull();
  });

  it("tells a viewer without access to the fields, instead of showing nothing", async () => {
    const el = mount(atRisk.id);
    getRecord.error();
    await flush();
    expect(text(el, ".error")[0]).toContain("could not be loaded");
    expect(el.shadowRoot.querySelector(".unscored")).toBeNull();
  });

  it("reads the series field, skipping malformed pairs", () => {
    expect(parseSeries("20261130:87 junk 2026113:5 20261201:88")).toEqual([
      { day: "2026-11-30", score: 87 },
      { day: "2026-12-01", score: 88 },
    ]);
    expect(parseSeries(null)).toEqual([]);
  });
});
