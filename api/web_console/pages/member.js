// One party member's card: who they are (as far as the reader may see), the posts
// they claimed, the activity record card (service logs and their review) and the
// year reviews; then the commands on them: report at residence, claim and release a
// post, log service, confirm or reject a log, review the year.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, t, when } from "../i18n.js";
import { partlyShown, workUnit } from "./members.js";
import { beijingToday, maskedNote, personal } from "./personal.js";

const QUERY = `query Member(${TENANT_ARGS}, $member: ID!) {
  ${TENANT_FIELD} { id name
    posts(first: 50) { nodes { id title capacity claims(activeOnly: true) { memberId } } }
    member(id: $member) { id name memberClass workUnit status statusLabel
      reportedOn confirmedHours membershipHere
      claims { id postId claimedAt endedAt endReason active post { title category } }
      serviceLogs { id postId servedOn hours what status rejectReason }
      yearReviews { year rating feedback } } }
}`;

const REVIEWS = ["excellent", "good", "fair", "poor"];

function facts(member) {
  const rows = [
    ["members.class", label("memberClass", member.memberClass)],
    ["members.workUnit", workUnit(member)],
    ["members.status", member.statusLabel],
    ["members.reportedOn", member.reportedOn || t("common.none")],
    ["members.membershipHere", t(member.membershipHere ? "members.membershipYes" : "members.membershipNo")],
    ["members.hours", member.confirmedHours],
  ];
  return h("dl", { class: "facts" }, rows.map(([key, text]) => [h("dt", {}, t(key)), h("dd", {}, text)]));
}

function table(captionKey, columns, rows, emptyKey) {
  if (!rows.length) return h("p", {}, t(emptyKey));
  return h("table", {},
    h("caption", {}, t(captionKey)),
    h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, rows));
}

function claims(member) {
  return h("section", { "aria-labelledby": "claims-title" },
    h("h2", { id: "claims-title" }, t("members.claims")),
    table("members.claimsCaption", ["members.post", "posts.category", "members.claimedAt", "members.claimState"],
      member.claims.map((c) => h("tr", { "data-claim": c.id },
        h("th", { scope: "row" }, c.post?.title || c.postId),
        h("td", {}, label("postCategory", c.post?.category)),
        h("td", {}, when(c.claimedAt)),
        h("td", {}, c.active ? t("members.holding") : `${label("claimEnd", c.endReason)} ${when(c.endedAt)}`))),
      "members.noClaims"));
}

function serviceLogs(member, titles) {
  const logs = [...member.serviceLogs].sort((a, b) => b.servedOn.localeCompare(a.servedOn));
  return h("section", { "aria-labelledby": "logs-title" },
    h("h2", { id: "logs-title" }, t("members.logs")),
    table("members.logsCaption", ["members.servedOn", "members.post", "members.logHours", "members.what", "members.logStatus"],
      logs.map((log) => h("tr", { "data-log": log.id },
        h("td", {}, log.servedOn),
        h("td", {}, titles.get(log.postId) || log.postId),
        h("td", {}, log.hours),
        h("td", {}, log.what),
        h("td", {}, label("serviceLog", log.status), log.rejectReason ? `: ${log.rejectReason}` : ""))),
      "members.noLogs"));
}

function yearReviews(member) {
  const reviews = [...member.yearReviews].sort((a, b) => b.year - a.year);
  return h("section", { "aria-labelledby": "reviews-title" },
    h("h2", { id: "reviews-title" }, t("members.reviews")),
    table("members.reviewsCaption", ["members.year", "members.review", "members.feedback"],
      reviews.map((r) => h("tr", {}, h("th", { scope: "row" }, r.year), h("td", {}, label("yearReview", r.rating)), h("td", {}, personal(r.feedback)))),
      "members.noReviews"));
}

function actions(tenant, member, titles, reload) {
  const base = `members/${encodeURIComponent(member.id)}`;
  const common = { tenantId: tenant.id, done: reload };
  const held = member.claims.filter((c) => c.active).map((c) => [c.postId, titles.get(c.postId) || c.postId]);
  const heldIds = new Set(held.map(([id]) => id));
  const free = tenant.posts.nodes.filter((p) => !heldIds.has(p.id))
    .map((p) => [p.id, t("posts.option", { title: p.title, taken: p.claims.length, capacity: p.capacity })]);
  const pending = member.serviceLogs.filter((l) => l.status === "pending")
    .map((l) => [l.id, t("members.logOption", { day: l.servedOn, post: titles.get(l.postId) || l.postId, hours: l.hours })]);
  const forms = [];
  if (member.status !== "active") return null;
  if (member.memberClass === "in_service" && !member.reportedOn) {
    forms.push(commandForm({ ...common, name: "residence", title: "members.reportResidence", path: `${base}/residence-report`,
      fields: [field("members.reportedOn", h("input", { type: "date", name: "reported_on", required: true, value: beijingToday() }))],
      body: (f) => ({ reported_on: value(f, "reported_on") }) }));
  }
  if (free.length) {
    forms.push(commandForm({ ...common, name: "claim", title: "members.claim", path: `${base}/claims`,
      fields: [field("members.post", select("post_id", free)), occurredAtField()],
      body: (f) => ({ post_id: value(f, "post_id"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (held.length) {
    forms.push(commandForm({ ...common, name: "log-service", title: "members.logService", path: `${base}/service-logs`,
      fields: [field("members.post", select("post_id", held)),
        field("members.servedOn", h("input", { type: "date", name: "served_on", required: true, value: beijingToday(), max: beijingToday() })),
        field("members.logHours", h("input", { type: "number", name: "hours", required: true, min: 0.25, max: 24, step: 0.25 })),
        field("members.what", h("textarea", { name: "what", rows: 2, required: true }))],
      body: (f) => ({ post_id: value(f, "post_id"), served_on: value(f, "served_on"), hours: value(f, "hours"), what: value(f, "what") }) }));
  }
  if (pending.length) {
    forms.push(commandForm({ ...common, name: "review-log", title: "members.reviewLog",
      path: (f) => `${base}/service-logs/${encodeURIComponent(value(f, "log_id"))}/review`,
      fields: [field("members.log", select("log_id", pending)),
        field("members.decision", select("confirmed", [["true", t("members.confirm")], ["false", t("members.reject")]])),
        field("members.reason", h("input", { name: "reason" }), "members.rejectHint"), occurredAtField()],
      body: (f) => ({ confirmed: value(f, "confirmed") === "true", reason: value(f, "reason"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  if (held.length) {
    forms.push(commandForm({ ...common, name: "release", title: "members.release", path: `${base}/releases`,
      fields: [field("members.post", select("post_id", held)), occurredAtField()],
      body: (f) => ({ post_id: value(f, "post_id"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
  }
  forms.push(commandForm({ ...common, name: "year-review", title: "members.reviewYear", path: `${base}/year-reviews`,
    fields: [field("members.year", h("input", { type: "number", name: "year", required: true, min: 2000, max: 2100, value: beijingToday().slice(0, 4) })),
      field("members.reviewRating", select("rating", REVIEWS.map((r) => [r, label("yearReview", r)]))),
      field("members.feedback", h("textarea", { name: "feedback", rows: 3, required: true }), "members.feedbackHint"),
      field("members.reason", h("input", { name: "reason" }), "members.reviseHint")],
    body: (f) => ({ year: Number(value(f, "year")), rating: value(f, "rating"), feedback: value(f, "feedback"), reason: value(f, "reason") }) }));
  if (!forms.some(Boolean)) return null; // none the viewer's role may send
  return h("section", { "aria-labelledby": "member-actions", class: "actions" },
    h("h2", { id: "member-actions" }, t("members.actions")), forms);
}

export async function memberPage(main, [tenantId, memberId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId, { member: memberId }));
  const tenant = data.tenant;
  if (!tenant?.member) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const member = tenant.member;
  const titles = new Map(tenant.posts.nodes.map((p) => [p.id, p.title]));
  for (const c of member.claims) if (c.post) titles.set(c.postId, c.post.title);
  const reload = () => memberPage(main, [tenantId, memberId]);
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/meetings` }, tenant.name),
      " / ", h("a", { href: `${base}/members` }, t("members.crumb")), " / ", member.name),
    h("h1", {}, member.name),
    maskedNote(partlyShown([member])),
    facts(member),
    h("div", { class: "columns" },
      h("div", {}, claims(member), serviceLogs(member, titles), yearReviews(member)),
      actions(tenant, member, titles, reload)));
}
