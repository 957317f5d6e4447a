// A community's service posts: category, capacity and who holds each, with the
// confirmed hours served on it; a member claims a post here, and the community sets
// up new ones. Holders' names are as the API gives them to the reader (masked for
// roles that may not see personal data).
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, t } from "../i18n.js";
import { memberHref } from "./members.js";
import { isMasked, maskedNote } from "./personal.js";

const QUERY = `query Posts(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    members(first: 100) { nodes { id name memberClass status } }
    posts(first: 50) { nodes { id title category capacity description confirmedHours
      claims(activeOnly: true) { memberId member { name } } } } }
}`;

const CATEGORIES = ["publicity_education", "rights_protection", "assistance", "environment", "public_safety_patrol",
  "culture_sports", "elderly_care", "sanitation_supervision", "facility_maintenance", "greening", "other"];

function postsTable(tenant) {
  const posts = tenant.posts.nodes;
  if (!posts.length) return h("p", {}, t("posts.none"));
  return h("table", { class: "posts" },
    h("caption", {}, t("posts.caption")),
    h("thead", {}, h("tr", {}, ["posts.post", "posts.category", "posts.description", "posts.taken", "posts.holders", "posts.hours"]
      .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, posts.map((p) => {
      const full = p.claims.length >= p.capacity;
      return h("tr", { "data-post": p.id },
        h("th", { scope: "row" }, p.title),
        h("td", {}, label("postCategory", p.category)),
        h("td", {}, p.description || t("common.none")),
        h("td", {}, t("posts.takenOf", { taken: p.claims.length, capacity: p.capacity }), full ? ` ${t("posts.full")}` : ""),
        h("td", {}, p.claims.length
          ? h("ul", { class: "inline" }, p.claims.map((c) => h("li", {}, h("a", { href: memberHref(tenant.id, c.memberId) }, c.member?.name || c.memberId))))
          : t("common.none")),
        h("td", {}, p.confirmedHours));
    })));
}

function forms(tenant, reload) {
  const common = { tenantId: tenant.id, done: reload };
  const members = tenant.members.nodes.filter((m) => m.status === "active").map((m) => [m.id, `${m.name} (${label("memberClass", m.memberClass)})`]);
  const posts = tenant.posts.nodes.map((p) => [p.id, t("posts.option", { title: p.title, taken: p.claims.length, capacity: p.capacity })]);
  return h("section", { "aria-labelledby": "post-actions", class: "actions" },
    h("h2", { id: "post-actions" }, t("posts.actions")),
    posts.length > 0 && members.length > 0 && commandForm({ ...common, name: "claim", title: "members.claim",
      path: (f) => `members/${encodeURIComponent(value(f, "member_id"))}/claims`,
      fields: [field("posts.member", select("member_id", members)), field("members.post", select("post_id", posts)), occurredAtField()],
      body: (f) => ({ post_id: value(f, "post_id"), occurred_at: isoTime(value(f, "occurred_at")) }) }),
    commandForm({ ...common, name: "define-post", title: "posts.define", path: "posts",
      fields: [field("posts.title", h("input", { name: "title", required: true })),
        field("posts.category", select("category", CATEGORIES.map((c) => [c, label("postCategory", c)]))),
        field("posts.capacity", h("input", { type: "number", name: "capacity", required: true, min: 1, max: 1000, step: 1 })),
        field("posts.description", h("textarea", { name: "description", rows: 2 })), occurredAtField()],
      body: (f) => ({ title: value(f, "title"), category: value(f, "category"), capacity: Number(value(f, "capacity")),
        description: value(f, "description"), occurred_at: isoTime(value(f, "occurred_at")) }) }));
}

export async function postsPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const reload = () => postsPage(main, [tenantId]);
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  const masked = tenant.posts.nodes.some((p) => p.claims.some((c) => isMasked(c.member?.name)));
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/meetings` }, tenant.name), " / ", t("posts.crumb")),
    h("h1", {}, t("posts.heading", { tenant: tenant.name })),
    h("p", {}, h("a", { href: `${base}/members` }, t("members.crumb")), " · ", h("a", { href: `${base}/commitments` }, t("commitments.crumb"))),
    maskedNote(masked),
    h("div", { class: "columns" }, h("div", {}, postsTable(tenant)), forms(tenant, reload)));
}
