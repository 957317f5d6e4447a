// The meeting workspace: what the record says (agenda, attendance, positions,
// decisions, minutes), then the commands the meeting's state allows, each a form
// that writes through the REST commands and re-reads the meeting when accepted.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { past } from "../as_of.js";
import { documentLink } from "../documents.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, t, when } from "../i18n.js";

export const MEETING_QUERY = `query Meeting(${TENANT_ARGS}, $meeting: ID!) {
  ${TENANT_FIELD} { id name
    units(first: 100, activeOnly: true) { nodes { id name } }
    meeting(id: $meeting) { id title kindLabel status statusLabel scheduledFor location
      noticeIssuedAt minutes minutesIssuedAt chair { name }
      minutesRecipients { unitId acknowledgedAt }
      agenda { id title kindLabel status statusLabel outcomeLabel carriedFrom opinionsDue
        tally { present agree object abstain }
        opinions { unitId text withLeave late }
        positions { unitId positionLabel unit { name } }
        resolution { id action deadline statusLabel responsibleUnits { name } } }
      attendance { unitId status leaveStatus leaveReason attendee substitute unit { name } } }
    earlier: meetings(first: 20, status: CLOSED) { nodes { id title agenda { id title outcome } } } }
}`;

const POSITIONS = ["agree", "object", "abstain"];
const MEETING_KINDS = ["regular", "thematic", "plenary"];
const ITEM_KINDS = ["topic", "execution_review"];

/** A required reason: the log keeps why a thing was withdrawn, postponed, corrected. */
const reasonField = () => field("form.reason", h("input", { name: "reason", required: true, maxlength: 2000 }));

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

// Opinions name units by id; the attendance roll has their names.
let unitNames = new Map();
const unitName = (_item, id) => unitNames.get(id) || id;

function agenda(meeting) {
  return h("section", { "aria-labelledby": "agenda-title" },
    h("h2", { id: "agenda-title" }, t("meeting.agenda")),
    meeting.agenda.length ? h("ol", { class: "agenda" }, meeting.agenda.map((item) => h("li", { "data-item": item.id },
      h("h3", {}, item.title),
      h("p", { class: "meta" }, [item.kindLabel, item.statusLabel, item.outcomeLabel].filter(Boolean).join(" · ")),
      item.carriedFrom && h("p", { class: "meta" }, t("meeting.carried")),
      item.opinionsDue && h("p", { class: "meta" }, t("meeting.opinionsDue", { due: when(item.opinionsDue) })),
      item.opinions.length > 0 && h("ul", { class: "opinions", "aria-label": t("meeting.opinions") },
        item.opinions.map((o) => h("li", {}, `${unitName(item, o.unitId)}: ${o.text}`,
          o.withLeave ? ` (${t("meeting.opinionWithLeave")})` : "", o.late ? ` (${t("meeting.opinionLate")})` : ""))),
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
  const received = meeting.minutesRecipients.filter((r) => r.acknowledgedAt).length;
  return h("section", { "aria-labelledby": "minutes-title" },
    h("h2", { id: "minutes-title" }, t("meeting.minutes")),
    h("p", { class: "meta" }, t("meeting.minutesIssued", { at: when(meeting.minutesIssuedAt) })),
    h("p", { class: "meta" }, t("meeting.minutesReceived", { received, sent: meeting.minutesRecipients.length })),
    h("pre", { class: "minutes" }, meeting.minutes));
}

/** The meeting's official documents as PDF (docs/documents.md), as far as they exist;
 * in the past, as they read at the position being read. */
function documents(tenantId, meeting) {
  const at = Number.isInteger(past()?.atPosition) ? `?atPosition=${past().atPosition}` : "";
  const base = `/tenants/${encodeURIComponent(tenantId)}/meetings/${encodeURIComponent(meeting.id)}`;
  const held = meeting.attendance.some((a) => a.status === "present");
  const links = [
    meeting.noticeIssuedAt && ["notice", "meeting.noticePdf", "meeting.noticeFile"],
    held && ["sign-in-sheet", "meeting.signInPdf", "meeting.signInFile"],
    meeting.minutes && ["minutes", "meeting.minutesPdf", "meeting.minutesFile"],
  ].filter(Boolean);
  if (!links.length) return null;
  return h("section", { "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, t("meeting.documents")),
    h("ul", { class: "documents" }, links.map(([name, key, file]) =>
      h("li", {}, documentLink(`${base}/${name}.pdf${at}`, key, t(file, { title: meeting.title }))))));
}

/** Not-agreed items of earlier closed meetings, which a new agenda may carry forward. */
function carriable(tenant, meeting) {
  const carried = new Set(meeting.agenda.map((i) => i.carriedFrom).filter(Boolean));
  return tenant.earlier.nodes.flatMap((m) => m.agenda
    .filter((i) => i.outcome === "not_agreed" && !carried.has(`${m.id}/${i.id}`))
    .map((i) => [`${m.id}/${i.id}`, `${i.title} (${m.title})`]));
}

/** The command forms the meeting's state allows. */
function actions(tenant, meeting, reload) {
  const base = `meetings/${encodeURIComponent(meeting.id)}`;
  const units = tenant.units.nodes.map((u) => [u.id, u.name]);
  const common = { tenantId: tenant.id, done: reload };
  const forms = [];
  const status = meeting.status;
  const open = meeting.agenda.filter((i) => i.status === "proposed").map((i) => [i.id, i.title]);
  if (status === "scheduled") {
    const earlier = carriable(tenant, meeting);
    forms.push(commandForm({ ...common, name: "agenda-item", title: "action.addItem", path: `${base}/agenda-items`,
      fields: [field("form.itemTitle", h("input", { name: "title", required: true, maxlength: 200 })),
        field("form.itemKind", select("kind", ITEM_KINDS.map((k) => [k, label("itemKind", k)]), { required: false, empty: "itemKind.topic" })),
        earlier.length > 0 && field("form.carriedFrom", select("carried_from", earlier, { required: false, empty: "form.notCarried" }), "form.carriedFromHint"),
        occurredAtField()],
      body: (f) => {
        const [meetingId, itemId] = (value(f, "carried_from") || "/").split("/");
        return { title: value(f, "title"), kind: value(f, "kind"), occurred_at: isoTime(value(f, "occurred_at")),
          carried_from: meetingId ? { meeting_id: meetingId, item_id: itemId } : null };
      } }));
    if (open.length) {
      forms.push(commandForm({ ...common, name: "withdraw", title: "action.withdrawItem",
        path: (f) => `${base}/agenda-items/${encodeURIComponent(value(f, "item_id"))}/withdraw`,
        fields: [field("form.item", select("item_id", open)), reasonField(), occurredAtField()],
        body: (f) => ({ reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
    }
  }
  if ((status === "scheduled" || status === "noticed") && open.length) {
    forms.push(commandForm({ ...common, name: "opinion-request", title: "action.solicitOpinions",
      path: (f) => `${base}/agenda-items/${encodeURIComponent(value(f, "item_id"))}/opinion-requests`,
      fields: [field("form.item", select("item_id", open)),
        field("form.opinionsDue", h("input", { type: "datetime-local", name: "due", required: true })), occurredAtField()],
      body: (f) => ({ due: isoTime(value(f, "due")), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  const solicited = meeting.agenda.filter((i) => i.status === "proposed" && i.opinionsDue).map((i) => [i.id, i.title]);
  if ((status === "noticed" || status === "open") && solicited.length) {
    forms.push(commandForm({ ...common, name: "opinion", title: "action.submitOpinion",
      path: (f) => `${base}/agenda-items/${encodeURIComponent(value(f, "item_id"))}/opinions`,
      fields: [field("form.item", select("item_id", solicited)), field("form.unit", select("unit_id", units)),
        field("form.opinionText", h("textarea", { name: "text", rows: 3, required: true })), occurredAtField()],
      body: (f) => ({ unit_id: value(f, "unit_id"), text: value(f, "text"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
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
  if (status === "scheduled" || status === "noticed") {
    forms.push(commandForm({ ...common, name: "postpone", title: "action.postpone", path: `${base}/postpone`,
      fields: [field("form.newTime", h("input", { type: "datetime-local", name: "scheduled_for", required: true }), "form.beijingTime"),
        reasonField(), occurredAtField()],
      body: (f) => ({ scheduled_for: isoTime(value(f, "scheduled_for")), reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (status === "scheduled" || status === "noticed" || status === "open") {
    forms.push(commandForm({ ...common, name: "cancel", title: "action.cancel", path: `${base}/cancel`,
      fields: [reasonField(), occurredAtField()],
      body: (f) => ({ reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (meeting.minutes) {
    const waiting = meeting.minutesRecipients.filter((r) => !r.acknowledgedAt).map((r) => [r.unitId, unitNames.get(r.unitId) || r.unitId]);
    if (waiting.length) {
      forms.push(commandForm({ ...common, name: "minutes-receipt", title: "action.acknowledgeMinutes", path: `${base}/minutes/receipts`,
        fields: [field("form.unit", select("unit_id", waiting)), occurredAtField()],
        body: (f) => ({ unit_id: value(f, "unit_id"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
    }
    forms.push(commandForm({ ...common, name: "minutes-correction", title: "action.correctMinutes", path: `${base}/minutes/corrections`,
      fields: [field("form.minutesText", h("textarea", { name: "text", rows: 6, required: true }, meeting.minutes)), reasonField(), occurredAtField()],
      body: (f) => ({ text: value(f, "text"), reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (status === "closed" && !meeting.minutes) {
    forms.push(commandForm({ ...common, name: "minutes", title: "action.minutes", path: `${base}/minutes`,
      fields: [field("form.minutesText", h("textarea", { name: "text", rows: 6, required: true })), occurredAtField()],
      body: (f) => ({ text: value(f, "text"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  const offered = forms.filter(Boolean); // the viewer's role may send these
  if (!offered.length) return null;
  return h("section", { "aria-labelledby": "actions-title", class: "actions" },
    h("h2", { id: "actions-title" }, t("meeting.actions")), offered);
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
  unitNames = new Map([...tenant.units.nodes.map((u) => [u.id, u.name]),
    ...meeting.attendance.map((a) => [a.unitId, a.unit?.name || a.unitId])]);
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
      h("div", {}, agenda(meeting), attendance(meeting), minutes(meeting), documents(tenant.id, meeting)),
      actions(tenant, meeting, reload)));
}
