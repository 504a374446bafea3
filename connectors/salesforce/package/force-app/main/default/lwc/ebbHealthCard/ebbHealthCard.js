// The Ebb Health card on the Account record page. Everything it shows comes from the packaged
// fields Ebb writes (getRecord) and the account's open Ebb tasks (the GraphQL wire adapter), both
// Lightning Data Service: no Apex, no callout, and it follows the viewer's field and sharing access.

import COVERAGE from "@salesforce/schema/Account.Coverage__c";
import BAND from "@salesforce/schema/Account.Health_Band__c";
import SCORE from "@salesforce/schema/Account.Health_Score__c";
import TREND from "@salesforce/schema/Account.Health_Trend__c";
import SERIES from "@salesforce/schema/Account.Score_Series__c";
import SCORED_ON from "@salesforce/schema/Account.Scored_On__c";
import REASONS from "@salesforce/schema/Account.Top_Reasons__c";
import { gql, graphql } from "lightning/graphql";
import { getFieldValue, getRecord } from "lightning/uiRecordApi";
import { api, LightningElement, wire } from "lwc";

const FIELDS = [SCORE, BAND, TREND, COVERAGE, REASONS, SCORED_ON, SERIES];

const BAND_LABELS = {
  healthy: "Healthy",
  watch: "Watch",
  at_risk: "At risk",
  insufficient_data: "Not enough data",
  churned: "Churned",
};
const TREND_LABELS = {
  growing: "growing",
  plateau: "steady",
  decaying: "decaying",
  recovering: "recovering",
};

const CHART_W = 180;
const CHART_H = 40;

/** `20240601:73 20240602:70` → [{day, score}], oldest first; malformed pairs are skipped. */
export function parseSeries(text) {
  if (!text) return [];
  return String(text)
    .trim()
    .split(/\s+/)
    .map((pair) => /^(\d{4})(\d{2})(\d{2}):(\d{1,3})$/.exec(pair))
    .filter(Boolean)
    .map((m) => ({ day: `${m[1]}-${m[2]}-${m[3]}`, score: Number(m[4]) }));
}

/** The reasons field: a JSON list of {label, evidence}; anything else reads as no reasons. */
export function parseReasons(text) {
  if (!text) return [];
  try {
    const list = JSON.parse(text);
    return Array.isArray(list)
      ? list
          .filter((r) => r && typeof r.evidence === "string")
          .map((r, i) => ({
            key: `${r.key || "reason"}-${i}`,
            label: r.label || "",
            evidence: r.evidence,
          }))
      : [];
  } catch (_e) {
    return [];
  }
}

export default class EbbHealthCard extends LightningElement {
  @api recordId;

  @wire(getRecord, { recordId: "$recordId", fields: FIELDS })
  account;

  @wire(graphql, {
    query: gql`
            query ebbOpenTasks($accountId: ID) {
                uiapi {
                    query {
                        Task(
                            where: {
                                and: [
                                    { WhatId: { eq: $accountId } }
                                    { ebb__Task_Key__c: { ne: null } }
                                    { IsClosed: { eq: false } }
                                ]
                            }
                            orderBy: { ActivityDate: { order: ASC } }
                            first: 10
                        ) {
                            edges {
                                node {
                                    Id
                                    Subject {
                                        value
                                    }
                                    ActivityDate {
                                        value
                                    }
                                    Priority {
                                        value
                                    }
                                }
                            }
                        }
                    }
                }
            }
        `,
    variables: "$taskVariables",
  })
  tasksResult;

  get taskVariables() {
    return { accountId: this.recordId };
  }

  get loaded() {
    return Boolean(this.account && (this.account.data || this.account.error));
  }
  get error() {
    return this.account?.error
      ? "Ebb Health could not be loaded: you may lack access to its fields."
      : undefined;
  }
  value(field) {
    return this.account?.data ? getFieldValue(this.account.data, field) : undefined;
  }
  get band() {
    return this.value(BAND);
  }
  get scored() {
    return this.loaded && !this.error && Boolean(this.band) && this.band !== "churned";
  }
  get unscored() {
    return this.loaded && !this.error && !this.band;
  }
  get churned() {
    return this.band === "churned";
  }
  get churnNote() {
    const r = parseReasons(this.value(REASONS))[0];
    return r ? r.evidence : "This customer has churned.";
  }
  get score() {
    const s = this.value(SCORE);
    return s === null || s === undefined ? "–" : String(Math.round(s));
  }
  get bandLabel() {
    return BAND_LABELS[this.band] || this.band;
  }
  get bandClass() {
    return `band band-${this.band}`;
  }
  get trendLabel() {
    return TREND_LABELS[this.value(TREND)] || this.value(TREND) || "";
  }
  get coverage() {
    const c = this.value(COVERAGE);
    return c === null || c === undefined ? "–" : `${Math.round(c)}%`;
  }
  get scoredOn() {
    return this.value(SCORED_ON) || "";
  }
  get healthy() {
    return this.band === "healthy";
  }
  get reasons() {
    return parseReasons(this.value(REASONS));
  }
  get hasReasons() {
    return !this.healthy && this.reasons.length > 0;
  }
  get series() {
    return parseSeries(this.value(SERIES));
  }
  get hasChart() {
    return this.series.length > 1;
  }
  /** The polyline of the last 90 days: x by day, y by score (0 at the bottom, 100 at the top). */
  get chartPoints() {
    const s = this.series;
    const step = s.length > 1 ? CHART_W / (s.length - 1) : 0;
    return s
      .map((p, i) => `${(i * step).toFixed(1)},${(CHART_H - (p.score / 100) * CHART_H).toFixed(1)}`)
      .join(" ");
  }
  get chartLabel() {
    const s = this.series;
    if (s.length < 2) return "";
    const first = s[0];
    const last = s[s.length - 1];
    return `Score over the last ${s.length} days: ${first.score} on ${first.day}, ${last.score} on ${last.day}`;
  }
  get tasks() {
    const edges = this.tasksResult?.data?.uiapi.query.Task.edges;
    return (edges || []).map((e) => ({
      id: e.node.Id,
      subject: e.node.Subject.value,
      due: e.node.ActivityDate.value,
      priority: e.node.Priority.value,
    }));
  }
  get hasTasks() {
    return this.tasks.length > 0;
  }
}
