/** @jsxImportSource react */
// The Ebb card on HubSpot company records: loads the company's health from Ebb's Worker with
// hubspot.fetch (signed by HubSpot, verified by the Worker) and shows score, band, trend, coverage,
// the top reasons with evidence, a 90-day trend and the open Ebb tasks.
import {
  Alert,
  Divider,
  Flex,
  Heading,
  hubspot,
  List,
  LoadingSpinner,
  Statistics,
  StatisticsItem,
  Tag,
  Text,
} from "@hubspot/ui-extensions";
import { useEffect, useState } from "react";

/** Ebb's Worker; listed in app-hsmeta.json permittedUrls.fetch. */
export const EBB_URL = "https://ebb.example.com";

const BAND = {
  healthy: { label: "Healthy", variant: "success" },
  watch: { label: "Watch", variant: "warning" },
  at_risk: { label: "At risk", variant: "error" },
  insufficient_data: { label: "Not enough data", variant: "default" },
};

const TREND = {
  growing: "↗ growing",
  plateau: "→ plateau",
  decaying: "↘ decaying",
  recovering: "↗ recovering",
};

/** Bars of the last 90 daily scores, as text: cards have no chart component that takes a series. */
export function sparkline(series) {
  const blocks = "▁▂▃▄▅▆▇█";
  return series.map((p) => blocks[Math.min(7, Math.floor((p.score / 100) * 8))]).join("");
}

/** The card's content for one company's health (a pure view: the test renders it with stubs). */
export function HealthView({ data }) {
  if (data.status === "not_scored") {
    return <Text>Ebb has not scored this company yet; it will after the next sync.</Text>;
  }
  const band = BAND[data.band] ?? BAND.insufficient_data;
  return (
    <Flex direction="column" gap="sm">
      <Flex direction="row" gap="sm" align="center">
        <Heading>{data.score}/100</Heading>
        <Tag variant={band.variant}>{band.label}</Tag>
        <Text>{TREND[data.trend] ?? data.trend}</Text>
      </Flex>
      {data.band === "insufficient_data" ? (
        <Alert title="Not enough data" variant="info">
          Only {Math.round(data.coverage * 100)}% of the signals have data: connect more sources
          before trusting this score.
        </Alert>
      ) : null}
      <Statistics>
        <StatisticsItem label="Coverage" number={`${Math.round(data.coverage * 100)}%`} />
        <StatisticsItem label="Scored" number={data.scoredAt} />
      </Statistics>
      <Text format={{ fontWeight: "bold" }}>Why</Text>
      {data.reasons.length === 0 ? (
        <Text>No warning signs.</Text>
      ) : (
        <List variant="unordered">
          {data.reasons.map((r) => (
            <Text key={r.key}>
              <Text inline={true} format={{ fontWeight: "demibold" }}>
                {r.label}:
              </Text>{" "}
              {r.evidence}
            </Text>
          ))}
        </List>
      )}
      <Text>90 days: {sparkline(data.series)}</Text>
      <Divider />
      <Text format={{ fontWeight: "bold" }}>Open Ebb tasks</Text>
      {data.openTasks.length === 0 ? (
        <Text>None.</Text>
      ) : (
        <List variant="unordered">
          {data.openTasks.map((t) => (
            <Text key={t.dedupeKey}>
              {t.title} — due {t.dueAt} ({t.priority})
            </Text>
          ))}
        </List>
      )}
    </Flex>
  );
}

function EbbHealthCard({ context }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    const companyId = context.crm.objectId;
    hubspot
      .fetch(`${EBB_URL}/hubspot/card?objectId=${encodeURIComponent(companyId)}`, {
        method: "GET",
        timeout: 15000,
      })
      .then(async (res) => {
        if (!res.ok) throw new Error(`Ebb answered ${res.status}`);
        setState({ data: await res.json() });
      })
      .catch((e) => setState({ error: e.message }));
  }, [context.crm.objectId]);
  if (state.loading) return <LoadingSpinner label="Loading health from Ebb" />;
  if (state.error)
    return (
      <Alert title="Ebb is unreachable" variant="error">
        {state.error}
      </Alert>
    );
  return <HealthView data={state.data} />;
}

hubspot.extend(({ context }) => <EbbHealthCard context={context} />);
