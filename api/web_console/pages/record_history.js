// A record's history: every event that wrote it, oldest first, each with who, when
// recorded, when it happened, why and what it changed; reached from the timeline
// (its events and their changes) and from the meeting workspace.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { label, t } from "../i18n.js";
import { EVENT_FIELDS, eventEntry } from "./timeline.js";

const QUERY = `query RecordHistory(${TENANT_ARGS}, $record: ID!) {
  ${TENANT_FIELD} { id name
    units(first: 100) { nodes { id name } }
    recordHistory(id: $record) { ${EVENT_FIELDS} } }
}`;

/** What the record is called: its title or name as its first change set it. */
function titleOf(history, recordId) {
  for (const event of history) {
    for (const change of event.changes) {
      if (change.recordId !== recordId) continue;
      const named = change.fields.find((f) => ["title", "name", "text"].includes(f.field) && typeof f.after === "string");
      if (named) return named.after.length > 60 ? `${named.after.slice(0, 60)}…` : named.after;
    }
  }
  return recordId;
}

export async function recordHistoryPage(main, [tenantId, recordId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId, { record: recordId }));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const units = new Map(tenant.units.nodes.map((u) => [u.id, u.name]));
  const history = tenant.recordHistory;
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  // The record's own kind: that of the events naming it (a related event may name another).
  const own = history.find((e) => e.recordId === recordId);
  const kind = own ? label("auditRecord", own.recordType) : t("audit.recordKind");
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/meetings` }, tenant.name), " / ",
      h("a", { href: `${base}/timeline` }, t("audit.timeline")), " / ", t("audit.history")),
    h("h1", {}, t("audit.historyTitle", { kind, title: titleOf(history, recordId) })),
    h("p", { class: "meta" }, t("audit.recordId", { id: recordId })),
    history.length
      ? h("ol", { class: "timeline" }, history.map((event) => eventEntry(tenantId, event, units)))
      : h("p", {}, t("audit.noHistory")));
}
