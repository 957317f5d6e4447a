// One resolution: what was decided, by whom it is to be done and by when, the
// meeting it came from, its notice as PDF, the execution reports (who, when, what,
// evidence files to download), then the commands its state allows: notify, report
// execution (with evidence files uploaded first), verify, return a report.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, past, tenantVariables } from "../as_of.js";
import { documentLink, fileSize, uploadEvidence } from "../documents.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { has, t, when } from "../i18n.js";
import { deadlineText, isOpen, unitNames } from "./resolutions.js";

const QUERY = `query Resolution(${TENANT_ARGS}, $resolution: ID!) {
  ${TENANT_FIELD} { id name
    units(first: 100) { nodes { id name } }
    resolution(id: $resolution) { id title action deadline status statusLabel overdue adoptedAt
      responsibleUnitIds notifiedUnitIds completedByUnitIds
      meeting { id title scheduledFor }
      executionReports { position unitId kind kindLabel note evidence recordedAt returnedReason
        files { sha256 name mediaTypeLabel size downloadPath } }
      history { position type occurredAt recordedAt reason actor { userId role } } } }
}`;

const KINDS = ["progress", "completed"];
const EVIDENCE_TYPES = "application/pdf,image/jpeg,image/png,image/webp";

/** Who recorded an event, as the reader may see it (the user is masked for some). */
function actorText(event) {
  if (!event) return t("common.none");
  const role = `tracker.role.${event.actor.role}`;
  return t("tracker.actor", { user: event.actor.userId, role: has(role) ? t(role) : event.actor.role });
}

function facts(tenantId, resolution, names, events) {
  const verified = events.find((e) => e.type === "Verified");
  const meeting = resolution.meeting;
  const rows = [
    ["tracker.action", resolution.action],
    ["tracker.status", resolution.statusLabel],
    ["tracker.deadline", deadlineText(resolution)],
    ["tracker.units", unitNames(resolution, names)],
    ["tracker.notified", resolution.notifiedUnitIds.length
      ? resolution.notifiedUnitIds.map((id) => names.get(id) || id).join(t("common.listSeparator")) : t("tracker.notNotified")],
    ["tracker.meeting", meeting
      ? h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/meetings/${encodeURIComponent(meeting.id)}` }, meeting.title)
      : t("common.none")],
    ["tracker.adoptedAt", when(resolution.adoptedAt)],
    verified && ["tracker.verifiedAt", t("tracker.by", { at: when(verified.occurredAt || verified.recordedAt), who: actorText(verified) })],
  ].filter(Boolean);
  return h("dl", { class: "facts", id: "resolution-facts" }, rows.map(([key, text]) => [h("dt", {}, t(key)), h("dd", {}, text)]));
}

function reports(resolution, names, events) {
  const byPosition = new Map(events.map((e) => [e.position, e]));
  const list = resolution.executionReports;
  return h("section", { "aria-labelledby": "reports-title" },
    h("h2", { id: "reports-title" }, t("tracker.reports")),
    list.length ? h("ol", { class: "reports" }, list.map((report) => {
      const event = byPosition.get(report.position);
      return h("li", { "data-unit": report.unitId, "data-kind": report.kind },
        h("h3", {}, t("tracker.reportTitle", { unit: names.get(report.unitId) || report.unitId, kind: report.kindLabel })),
        h("p", { class: "meta" }, t("tracker.by", { at: when(event?.occurredAt || report.recordedAt), who: actorText(event) })),
        h("p", { class: "note-text" }, report.note),
        report.evidence.length > 0 && h("p", {}, t("tracker.evidenceText", { items: report.evidence.join(t("common.listSeparator")) })),
        report.files.length > 0 && h("ul", { class: "files", "aria-label": t("tracker.files") }, report.files.map((file) => h("li", {},
          documentLink(file.downloadPath, "tracker.fileLink", file.name,
            { name: file.name, type: file.mediaTypeLabel, size: fileSize(file.size) })))),
        report.returnedReason && h("p", { class: "returned" },
          h("strong", {}, t("tracker.returned")), t("tracker.returnedReason", { reason: report.returnedReason })));
    })) : h("p", {}, t("tracker.noReports")));
}

/** The command forms the resolution's state allows (the API refuses what the role does not). */
function actions(tenantId, resolution, names, reload) {
  if (!isOpen(resolution)) return null;
  const base = `resolutions/${encodeURIComponent(resolution.id)}`;
  const common = { tenantId, done: reload };
  const named = (ids) => ids.map((id) => [id, names.get(id) || id]);
  const forms = [];
  if (resolution.responsibleUnitIds.some((id) => !resolution.notifiedUnitIds.includes(id))) {
    forms.push(commandForm({ ...common, name: "notify", title: "tracker.notify", path: `${base}/notifications`,
      fields: [h("p", { class: "hint" }, t("tracker.notifyHint")), occurredAtField()],
      body: (f) => ({ occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  const files = h("input", { type: "file", name: "files", multiple: true, accept: EVIDENCE_TYPES });
  forms.push(commandForm({ ...common, name: "report", title: "tracker.report", path: `${base}/execution-reports`,
    fields: [field("form.unit", select("unit_id", named(resolution.responsibleUnitIds))),
      field("tracker.kind", select("kind", KINDS.map((k) => [k, t(`tracker.kind.${k}`)]))),
      field("tracker.note", h("textarea", { name: "note", rows: 3, required: true })),
      field("tracker.evidenceFiles", files, "tracker.evidenceFilesHint"),
      occurredAtField()],
    // Each file is uploaded first; the report attaches them by their SHA-256.
    body: async (f) => {
      const uploaded = [];
      for (const file of files.files) uploaded.push((await uploadEvidence(tenantId, file)).sha256);
      return { unit_id: value(f, "unit_id"), kind: value(f, "kind"), note: value(f, "note"),
        files: uploaded, occurred_at: isoTime(value(f, "occurred_at")) };
    } }));
  if (resolution.status === "completed") {
    forms.push(commandForm({ ...common, name: "verify", title: "tracker.verify", path: `${base}/verification`,
      fields: [h("p", { class: "hint" }, t("tracker.verifyHint")), occurredAtField()],
      body: (f) => ({ occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (resolution.completedByUnitIds.length) {
    forms.push(commandForm({ ...common, name: "return", title: "tracker.return", path: `${base}/returns`,
      fields: [field("form.unit", select("unit_id", named(resolution.completedByUnitIds))),
        field("tracker.reason", h("textarea", { name: "reason", rows: 2, required: true })), occurredAtField()],
      body: (f) => ({ unit_id: value(f, "unit_id"), reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (!forms.some(Boolean)) return null; // none the viewer's role may send
  return h("section", { "aria-labelledby": "actions-title", class: "actions" },
    h("h2", { id: "actions-title" }, t("meeting.actions")), forms);
}

export async function resolutionPage(main, [tenantId, resolutionId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId, { resolution: resolutionId }));
  const resolution = data.tenant?.resolution;
  if (!resolution) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const names = new Map(data.tenant.units.nodes.map((u) => [u.id, u.name]));
  const events = resolution.history;
  const reload = () => resolutionPage(main, [tenantId, resolutionId]);
  const tracker = `#/tenants/${encodeURIComponent(tenantId)}/resolutions`;
  // The notice as the record stood at the position read, when reading the past.
  const at = past()?.atPosition;
  const notice = `/tenants/${encodeURIComponent(tenantId)}/resolutions/${encodeURIComponent(resolution.id)}/notice.pdf${at ? `?atPosition=${at}` : ""}`;
  const record = h("div", {},
    facts(tenantId, resolution, names, events),
    h("p", {}, documentLink(notice, "tracker.noticePdf", t("tracker.noticeFile", { title: resolution.title }))),
    reports(resolution, names, events));
  const commands = actions(tenantId, resolution, names, reload);
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ",
      h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/meetings` }, data.tenant.name), " / ",
      h("a", { href: tracker }, t("tracker.crumb")), " / ", resolution.title),
    h("h1", {}, resolution.title),
    commands ? h("div", { class: "columns" }, record, commands) : record);
}
