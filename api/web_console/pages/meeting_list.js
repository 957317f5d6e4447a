// A tenant's meetings, newest first, each linking to its workspace.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, t, when } from "../i18n.js";

const KINDS = ["regular", "thematic", "plenary"];

/** Scheduling a meeting; accepted, it opens the new meeting's workspace. */
function scheduleForm(tenantId, base) {
  return h("section", { "aria-labelledby": "schedule-title", class: "actions" },
    h("h2", { id: "schedule-title" }, t("meeting.actions")),
    commandForm({
      tenantId, name: "schedule", title: "action.schedule", path: "meetings",
      fields: [field("form.meetingTitle", h("input", { name: "title", required: true, maxlength: 200 })),
        field("form.meetingKind", select("kind", KINDS.map((k) => [k, label("meetingKind", k)]))),
        field("form.scheduledFor", h("input", { type: "datetime-local", name: "scheduled_for", required: true }), "form.beijingTime"),
        field("form.location", h("input", { name: "location", required: true, maxlength: 200 })),
        occurredAtField()],
      body: (f) => ({ title: value(f, "title"), kind: value(f, "kind"), scheduled_for: isoTime(value(f, "scheduled_for")),
        location: value(f, "location"), occurred_at: isoTime(value(f, "occurred_at")) }),
      done: (answer) => { location.hash = `${base}/${encodeURIComponent(answer.record_id)}`; },
    }));
}

const QUERY = `query Meetings(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    meetings(first: 100) { nodes { id title kindLabel statusLabel scheduledFor location } } }
}`;

export async function meetingListPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  if (!data.tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const base = `#/tenants/${encodeURIComponent(tenantId)}/meetings`;
  const meetings = data.tenant.meetings.nodes;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") }, h("a", { href: "#/" }, t("nav.tree")), " / ", data.tenant.name),
    h("h1", {}, t("meetings.title", { tenant: data.tenant.name })),
    h("p", {}, h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/resolutions` }, t("tracker.link"))),
    h("p", {}, h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/timeline` }, t("audit.timelineLink"))),
    meetings.length
      ? h("table", {},
        h("caption", {}, t("meetings.caption")),
        h("thead", {}, h("tr", {}, ["meetings.when", "meetings.name", "meetings.kind", "meetings.status", "meetings.location"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, meetings.map((m) => h("tr", {},
          h("td", {}, when(m.scheduledFor)),
          h("th", { scope: "row" }, h("a", { href: `${base}/${encodeURIComponent(m.id)}` }, m.title)),
          h("td", {}, m.kindLabel), h("td", {}, m.statusLabel), h("td", {}, m.location)))))
      : h("p", {}, t("meetings.none")),
    scheduleForm(tenantId, base));
}
