// The commitments board: each public commitment with its progress schedule
// (milestones), its status and residents' satisfaction, then the rating form (a
// resident's rating, or one a secretary enters from a paper form) and the milestone
// progress report. The API refuses a role that may not send a command, and the form
// says so; residents' ids and comments show only where the API gives them.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { percent, t, when } from "../i18n.js";
import { currentHalfYear, personal } from "./personal.js";

const QUERY = `query Commitments(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    units(first: 100) { nodes { id name } }
    members(first: 100) { nodes { id name } }
    commitmentSatisfaction { numerator denominator rate target meetsTarget }
    commitments(first: 20) { totalCount nodes { id makerKind makerKindLabel makerId text category
      due status statusLabel channelLabel publishedOn lapsed
      milestones { id title due percent overdue evidence }
      satisfaction { numerator denominator rate target meetsTarget }
      ratings { residentId period rating comment ratedAt } } } }
}`;

const RATINGS = [5, 4, 3, 2, 1];
// A rating counts for a commitment still open, or fulfilled (rated for the running period).
const RATEABLE = new Set(["published", "fulfilled"]);

/** "88.9% (8/9)", or a dash when no one has rated. */
export function share(s) {
  return s.denominator ? `${percent(s.rate)} (${s.numerator}/${s.denominator})` : t("common.none");
}

/** Satisfaction with its target said in words (not by colour alone). */
function satisfaction(s) {
  const verdict = s.meetsTarget === null || s.meetsTarget === undefined ? ""
    : t(s.meetsTarget ? "commitments.targetMet" : "commitments.targetMissed");
  return h("span", { class: s.meetsTarget === false ? "warn" : "" },
    t("commitments.satisfactionShare", { share: share(s), target: percent(s.target) }), verdict && ` ${verdict}`);
}

function makerName(tenant, commitment) {
  const found = [...tenant.units.nodes, ...tenant.members.nodes].find((x) => x.id === commitment.makerId);
  if (found) return found.name;
  return commitment.makerId === tenant.id ? tenant.name : commitment.makerId;
}

function milestoneState(m) {
  if (m.percent >= 100) return t("commitments.milestoneDone");
  return m.overdue ? t("commitments.milestoneOverdue") : t("commitments.milestoneRunning");
}

function milestones(commitment) {
  if (!commitment.milestones.length) return h("p", {}, t("commitments.noMilestones"));
  return h("table", { class: "milestones" },
    h("caption", {}, t("commitments.schedule")),
    h("thead", {}, h("tr", {}, ["commitments.milestone", "commitments.milestoneDue", "commitments.progress",
      "commitments.milestoneState", "commitments.evidence"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, commitment.milestones.map((m) => h("tr", { "data-milestone": m.id },
      h("th", { scope: "row" }, m.title),
      h("td", {}, m.due),
      h("td", {}, h("progress", { max: 100, value: m.percent, "aria-hidden": "true" }), ` ${m.percent}%`),
      h("td", { class: m.overdue ? "warn" : "" }, milestoneState(m)),
      h("td", {}, m.evidence.join(t("common.listSeparator")) || t("common.none"))))));
}

function ratings(commitment) {
  const rows = commitment.ratings;
  return h("details", { class: "ratings" },
    h("summary", {}, t("commitments.ratingsCount", { count: rows.length })),
    rows.length ? h("table", {},
      h("caption", {}, t("commitments.ratingsCaption")),
      h("thead", {}, h("tr", {}, ["commitments.resident", "commitments.period", "commitments.rating",
        "commitments.comment", "commitments.ratedAt"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("td", {}, personal(r.residentId)), h("td", {}, r.period), h("td", {}, r.rating),
        h("td", {}, personal(r.comment)), h("td", {}, when(r.ratedAt))))))
      : h("p", {}, t("commitments.noRatings")));
}

function card(tenant, commitment) {
  const headingId = `commitment-${commitment.id}`;
  const status = commitment.lapsed ? `${commitment.statusLabel} (${t("commitments.lapsed")})` : commitment.statusLabel;
  const facts = [
    ["commitments.maker", `${commitment.makerKindLabel} · ${makerName(tenant, commitment)}`],
    ["commitments.category", commitment.category],
    ["commitments.due", commitment.due],
    ["commitments.status", status],
    ["commitments.published", commitment.publishedOn ? `${commitment.publishedOn} · ${commitment.channelLabel}` : t("common.none")],
    ["commitments.satisfaction", satisfaction(commitment.satisfaction)],
  ];
  return h("article", { class: "card commitment", "aria-labelledby": headingId, "data-commitment": commitment.id },
    h("h2", { id: headingId }, commitment.text),
    h("dl", { class: "facts" }, facts.map(([key, text]) => [h("dt", {}, t(key)), h("dd", {}, text)])),
    milestones(commitment),
    ratings(commitment));
}

function forms(tenant, commitments, reload) {
  const common = { tenantId: tenant.id, done: reload };
  const rateable = commitments.filter((c) => RATEABLE.has(c.status)).map((c) => [c.id, c.text]);
  const open = commitments.filter((c) => c.status === "published");
  const steps = open.flatMap((c) => c.milestones.map((m) => [`${c.id}/${m.id}`, `${c.text} · ${m.title} (${m.percent}%)`]));
  const list = [];
  if (rateable.length) {
    list.push(commandForm({ ...common, name: "rate", title: "commitments.rate", submitKey: "commitments.rateSubmit",
      path: (f) => `commitments/${encodeURIComponent(value(f, "commitment_id"))}/ratings`,
      fields: [field("commitments.commitment", select("commitment_id", rateable)),
        field("commitments.resident", h("input", { name: "resident_id", required: true, autocomplete: "off" }), "commitments.residentHint"),
        field("commitments.period", h("input", { name: "period", required: true, value: currentHalfYear(), pattern: "\\d{4}(H[12]|Q[1-4])?" }), "commitments.periodHint"),
        field("commitments.rating", select("rating", RATINGS.map((n) => [String(n), t(`commitments.rating${n}`)]))),
        field("commitments.comment", h("textarea", { name: "comment", rows: 2 })), occurredAtField()],
      body: (f) => ({ resident_id: value(f, "resident_id"), period: value(f, "period"), rating: Number(value(f, "rating")),
        comment: value(f, "comment"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (steps.length) {
    list.push(commandForm({ ...common, name: "progress", title: "commitments.reportProgress", submitKey: "commitments.progressSubmit",
      path: (f) => `commitments/${encodeURIComponent(value(f, "step").split("/")[0])}/progress`,
      fields: [field("commitments.milestone", select("step", steps)),
        field("commitments.percent", h("input", { name: "percent", type: "number", min: 0, max: 100, step: 1, required: true })),
        field("commitments.evidence", h("input", { name: "evidence" }), "commitments.evidenceHint"),
        field("commitments.reason", h("input", { name: "reason" }), "commitments.reasonHint"), occurredAtField()],
      body: (f) => ({ milestone_id: value(f, "step").split("/").slice(1).join("/"), percent: Number(value(f, "percent")),
        evidence: (value(f, "evidence") || "").split(/[,\u3001\uff0c]/).map((x) => x.trim()).filter(Boolean),
        reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (!list.length) return null;
  return h("section", { "aria-labelledby": "commitment-actions", class: "actions" },
    h("h2", { id: "commitment-actions" }, t("commitments.actions")), list);
}

export async function commitmentsPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const reload = () => commitmentsPage(main, [tenantId]);
  const commitments = tenant.commitments.nodes;
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/meetings` }, tenant.name), " / ", t("commitments.crumb")),
    h("h1", {}, t("commitments.title", { tenant: tenant.name })),
    h("p", { class: "lead", id: "overall-satisfaction" }, t("commitments.overall"), satisfaction(tenant.commitmentSatisfaction)),
    h("p", {}, h("a", { href: `${base}/members` }, t("members.crumb")), " · ", h("a", { href: `${base}/posts` }, t("posts.crumb"))),
    h("div", { class: "columns" },
      h("div", { class: "board" },
        commitments.length ? commitments.map((c) => card(tenant, c)) : h("p", {}, t("commitments.none")),
        tenant.commitments.totalCount > commitments.length
          && h("p", { class: "meta" }, t("commitments.more", { shown: commitments.length, total: tenant.commitments.totalCount }))),
      forms(tenant, commitments, reload)));
}
