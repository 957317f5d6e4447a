// The meeting workspace: what the record says (agenda, attendance, positions,
// decisions, minutes), then the commands the meeting's state allows, each a form
// that writes through the REST commands and re-reads the meeting when accepted.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, t, when } from "../i18n.js";

export const MEETING_QUERY = `query Meeting(${TENANT_ARGS}, $meeting: ID!) {
  ${TENANT_FIELD} { id name
    units(first: 100, activeOnly: true) { nodes { id name } }
    meeting(id: $meeting) { id title kindLabel status statusLabel scheduledFor location
      noticeIssuedAt minutes minutesIssuedAt chair { name }
      agenda { id title kindLabel status statusLabel outcomeLabel
        tally { present agree object abstain }
        positions { unitId positionLabel unit { name } }
        resolution { id action deadline statusLabel responsibleUnits { name } } }
      attendance { unitId status leaveStatus leaveReason attendee substitute unit { name } } } }
}`;

const POSITIONS = ["agree", "object", "abstain"];

/** The meeting and its tenant, as the reader may see them (null: not found). */
export async function readMeeting(tenantId, meetingId) {
  const data = await graphql(MEETING_QUERY, tenantVariables(tenantId, { meeting: meetingId }));
  return data.tenant?.meeting ? data.tenant : null;
}

function facts(meeting) {
  const rows = [
    ["meeting.kind", meeting.kindLabel], ["meeting.status", meeting.statusLabel],
    ["meeting.when", when(meeting.scheduledFor)], ["meeting.location", meeting.location],
    ["meeting.notice", meeting.noticeIssuedAt ? when(meeting.noticeIssuedAt) : t("common.none")],
    ["meeting.chair", meeting.chair?.name || t("common.none")],
  ];
  return h("dl", { class: "facts" }, rows.map(([key, text]) => [h("dt", {}, t(key)), h("dd", {}, text)]));
}

function agenda(meeting) {
  return h("section", { "aria-labelledby": "agenda-title" },
    h("h2", { id: "agenda-title" }, t("meeting.agenda")),
    meeting.agenda.length ? h("ol", { class: "agenda" }, meeting.agenda.map((item) => h("li", { "data-item": item.id },
      h("h3", {}, item.title),
      h("p", { class: "meta" }, [item.kindLabel, item.statusLabel, item.outcomeLabel].filter(Boolean).join(" · ")),
      item.tally && h("p", {}, t("meeting.tally", item.tally)),
      item.positions.length > 0 && h("ul", { class: "positions", "aria-label": t("meeting.positions") },
        item.positions.map((p) => h("li", {}, `${p.unit?.name || p.unitId}: ${p.positionLabel}`))),
      item.resolution && h("p", { class: "decision" }, t("meeting.decision", {
        action: item.resolution.action, deadline: item.resolution.deadline,
        units: item.resolution.responsibleUnits.map((u) => u.name).join(t("common.listSeparator")), status: item.resolution.statusLabel,
      })),
    ))) : h("p", {}, t("meeting.noAgenda")));
}

function attendance(meeting) {
  return h("section", { "aria-labelledby": "attendance-title" },
    h("h2", { id: "attendance-title" }, t("meeting.attendance")),
    h("table", {},
      h("thead", {}, h("tr", {}, ["meeting.unit", "meeting.attendanceStatus", "meeting.attendee", "meeting.leave"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, meeting.attendance.map((a) => h("tr", { "data-unit": a.unitId },
        h("th", { scope: "row" }, a.unit?.name || a.unitId),
        h("td", {}, label("attendance", a.status)),
        h("td", {}, a.attendee ? `${a.attendee}${a.substitute ? ` (${t("meeting.substitute")})` : ""}` : ""),
        h("td", {}, a.leaveStatus ? `${label("leave", a.leaveStatus)}${a.leaveReason ? `: ${a.leaveReason}` : ""}` : ""))))));
}

function minutes(meeting) {
  if (!meeting.minutes) return null;
  return h("section", { "aria-labelledby": "minutes-title" },
    h("h2", { id: "minutes-title" }, t("meeting.minutes")),
    h("p", { class: "meta" }, t("meeting.minutesIssued", { at: when(meeting.minutesIssuedAt) })),
    h("pre", { class: "minutes" }, meeting.minutes));
}

/** The command forms the meeting's state allows. */
function actions(tenant, meeting, reload) {
  const base = `meetings/${encodeURIComponent(meeting.id)}`;
  const units = tenant.units.nodes.map((u) => [u.id, u.name]);
  const common = { tenantId: tenant.id, done: reload };
  const forms = [];
  const status = meeting.status;
  if (status === "scheduled") {
    forms.push(commandForm({ ...common, name: "notice", title: "action.notice", path: `${base}/notice`,
      fields: [field("form.issuedAt", h("input", { type: "datetime-local", name: "issued_at" }), "form.occurredAtHint")],
      body: (f) => ({ issued_at: isoTime(value(f, "issued_at")) }) }));
  }
  if (status === "scheduled" || status === "noticed") {
    forms.push(commandForm({ ...common, name: "leave-request", title: "action.leaveRequest", path: `${base}/leave-requests`,
      fields: [field("form.unit", select("unit_id", units)), field("form.leaveReason", h("input", { name: "reason", required: true })), occurredAtField()],
      body: (f) => ({ unit_id: value(f, "unit_id"), reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
    const asked = meeting.attendance.filter((a) => a.leaveStatus === "requested").map((a) => [a.unitId, a.unit?.name || a.unitId]);
    if (asked.length) {
      forms.push(commandForm({ ...common, name: "leave-decision", title: "action.leaveDecision",
        path: (f) => `${base}/leave-requests/${encodeURIComponent(value(f, "unit_id"))}/decision`,
        fields: [field("form.unit", select("unit_id", asked)),
          field("form.leaveDecision", select("approved", [["true", t("form.approve")], ["false", t("form.refuse")]])), occurredAtField()],
        body: (f) => ({ approved: value(f, "approved") === "true", occurred_at: isoTime(value(f, "occurred_at")) }) }));
    }
  }
  if (status === "noticed") {
    forms.push(signInForm(tenant, meeting, reload));
    const present = meeting.attendance.filter((a) => a.status === "present").map((a) => [a.unitId, a.unit?.name || a.unitId]);
    forms.push(commandForm({ ...common, name: "open", title: "action.open", path: `${base}/open`,
      fields: [field("form.chair", select("chair_unit_id", present), "form.chairHint"), occurredAtField()],
      body: (f) => ({ chair_unit_id: value(f, "chair_unit_id"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (status === "open") {
    const items = meeting.agenda.filter((i) => i.status === "proposed").map((i) => [i.id, i.title]);
    if (items.length) {
      forms.push(commandForm({ ...common, name: "position", title: "action.position",
        path: (f) => `${base}/agenda-items/${encodeURIComponent(value(f, "item_id"))}/positions`,
        fields: [field("form.item", select("item_id", items)), field("form.unit", select("unit_id", units)),
          field("form.position", select("position", POSITIONS.map((p) => [p, label("position", p)]))), occurredAtField()],
        body: (f) => ({ unit_id: value(f, "unit_id"), position: value(f, "position"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
      forms.push(commandForm({ ...common, name: "decide", title: "action.decide",
        path: (f) => `${base}/agenda-items/${encodeURIComponent(value(f, "item_id"))}/decision`,
        fields: [field("form.item", select("item_id", items)),
          field("form.action", h("textarea", { name: "action", rows: 2, required: true })),
          h("fieldset", {}, h("legend", {}, t("form.responsibleUnits")),
            units.map(([id, name]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "responsible", value: id }), name))),
          field("form.deadline", h("input", { type: "date", name: "deadline", required: true })), occurredAtField()],
        body: (f) => ({ action: value(f, "action"), deadline: value(f, "deadline"),
          responsible_unit_ids: [...f.querySelectorAll("input[name=responsible]:checked")].map((c) => c.value),
          occurred_at: isoTime(value(f, "occurred_at")) }) }));
    }
    forms.push(commandForm({ ...common, name: "close", title: "action.close", path: `${base}/close`,
      fields: [occurredAtField()], body: (f) => ({ occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (status === "closed" && !meeting.minutes) {
    forms.push(commandForm({ ...common, name: "minutes", title: "action.minutes", path: `${base}/minutes`,
      fields: [field("form.minutesText", h("textarea", { name: "text", rows: 6, required: true })), occurredAtField()],
      body: (f) => ({ text: value(f, "text"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (!forms.length) return null;
  return h("section", { "aria-labelledby": "actions-title", class: "actions" },
    h("h2", { id: "actions-title" }, t("meeting.actions")), forms);
}

/** The sign-in form (also the phone page's): a unit, who came for it, substitute or not. */
export function signInForm(tenant, meeting, done) {
  const units = tenant.units.nodes.map((u) => [u.id, u.name]);
  return commandForm({
    tenantId: tenant.id, done, name: "sign-in", title: "action.signIn", submitKey: "signIn.submit",
    path: `meetings/${encodeURIComponent(meeting.id)}/sign-ins`,
    fields: [field("form.unit", select("unit_id", units)),
      field("form.attendee", h("input", { name: "attendee", required: true, autocomplete: "name" })),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "substitute" }), t("form.substitute")),
      occurredAtField()],
    body: (f) => ({ unit_id: value(f, "unit_id"), attendee: value(f, "attendee"),
      substitute: f.elements.namedItem("substitute").checked, occurred_at: isoTime(value(f, "occurred_at")) }),
  });
}

export async function meetingPage(main, [tenantId, meetingId]) {
  const tenant = await readMeeting(tenantId, meetingId);
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const meeting = tenant.meeting;
  const reload = () => meetingPage(main, [tenantId, meetingId]);
  const list = `#/tenants/${encodeURIComponent(tenantId)}/meetings`;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: list }, tenant.name), " / ", meeting.title),
    h("h1", {}, meeting.title),
    facts(meeting),
    meeting.status === "noticed" && h("p", {}, h("a", { href: `${list}/${encodeURIComponent(meeting.id)}/sign-in` }, t("meeting.signInPage"))),
    h("p", { class: "meta" }, h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/history/${encodeURIComponent(meeting.id)}` }, t("audit.meetingHistory"))),
    h("div", { class: "columns" },
      h("div", {}, agenda(meeting), attendance(meeting), minutes(meeting)),
      actions(tenant, meeting, reload)));
}
