// Party members registered in a community: the roster (class, work unit, report at
// residence, posts held, confirmed hours, the latest year review) with the members'
// participation, and the registration form. Names and work units are personal data:
// the API masks or withholds them for roles that may not see them, and the roster
// says so instead of showing gaps.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { commandForm, field, isoTime, occurredAtField, select, value } from "../forms.js";
import { label, percent, t } from "../i18n.js";
import { isMasked, isWithheld, maskedNote, personal } from "./personal.js";

const QUERY = `query Members(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    participation { members { numerator denominator rate target meetsTarget } windowDays
      lastCollectiveActivity collectiveActivityWithinTwoMonths }
    members(first: 100) { totalCount nodes { id name memberClass workUnit
      status statusLabel reportedOn confirmedHours
      claims(activeOnly: true) { postId post { title } }
      yearReviews { year rating } } } }
}`;

export const MEMBER_CLASSES = ["in_service", "directly_managed", "floating", "retired"];
const IN_SERVICE = "in_service";

/** The member's work unit; for an in-service member whose unit the API withheld, a note. */
export function workUnit(member) {
  if (member.memberClass !== IN_SERVICE && isWithheld(member.workUnit)) return t("common.none");
  return personal(member.workUnit);
}

/** Whether the reader gets any member's personal data only in part. */
export function partlyShown(members) {
  return members.some((m) => isMasked(m.name) || (m.memberClass === IN_SERVICE && isWithheld(m.workUnit)));
}

export const memberHref = (tenantId, memberId) =>
  `#/tenants/${encodeURIComponent(tenantId)}/members/${encodeURIComponent(memberId)}`;

function participation(p) {
  const share = p.members.denominator ? `${percent(p.members.rate)} (${p.members.numerator}/${p.members.denominator})` : t("common.none");
  return h("p", { class: "lead" },
    t("members.participation", { days: p.windowDays, share, target: percent(p.members.target) }),
    " ",
    p.lastCollectiveActivity
      ? t(p.collectiveActivityWithinTwoMonths ? "members.lastActivityRecent" : "members.lastActivityOld", { day: p.lastCollectiveActivity })
      : t("members.noActivity"));
}

function roster(tenant) {
  const members = tenant.members.nodes;
  if (!members.length) return h("p", {}, t("members.none"));
  return h("table", { class: "members" },
    h("caption", {}, t("members.caption", { count: tenant.members.totalCount })),
    h("thead", {}, h("tr", {}, ["members.name", "members.class", "members.workUnit", "members.status",
      "members.reportedOn", "members.posts", "members.hours", "members.review"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, members.map((m) => {
      const review = [...m.yearReviews].sort((a, b) => b.year - a.year)[0];
      return h("tr", { "data-member": m.id },
        h("th", { scope: "row" }, h("a", { href: memberHref(tenant.id, m.id) }, m.name)),
        h("td", {}, label("memberClass", m.memberClass)),
        h("td", {}, workUnit(m)),
        h("td", {}, m.statusLabel),
        h("td", {}, m.reportedOn || t("common.none")),
        h("td", {}, m.claims.map((c) => c.post?.title || c.postId).join(t("common.listSeparator")) || t("common.none")),
        h("td", {}, m.confirmedHours),
        h("td", {}, review ? `${review.year} ${label("yearReview", review.rating)}` : t("common.none")));
    })));
}

function registerForm(tenant) {
  return commandForm({
    tenantId: tenant.id, name: "register", title: "members.register", path: "members",
    fields: [field("members.name", h("input", { name: "name", required: true, autocomplete: "off" })),
      field("members.class", select("member_class", MEMBER_CLASSES.map((c) => [c, label("memberClass", c)]))),
      field("members.workUnit", h("input", { name: "work_unit" }), "members.workUnitHint"),
      occurredAtField()],
    body: (f) => ({ name: value(f, "name"), member_class: value(f, "member_class"), work_unit: value(f, "work_unit"),
      occurred_at: isoTime(value(f, "occurred_at")) }),
    // The new member's card, where the report at residence and the claims follow.
    done: (answer) => { location.hash = memberHref(tenant.id, answer.record_id); },
  });
}

export async function membersPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/meetings` }, tenant.name), " / ", t("members.crumb")),
    h("h1", {}, t("members.title", { tenant: tenant.name })),
    participation(tenant.participation),
    h("p", {}, h("a", { href: `${base}/posts` }, t("posts.crumb")), " · ", h("a", { href: `${base}/commitments` }, t("commitments.crumb"))),
    maskedNote(partlyShown(tenant.members.nodes)),
    roster(tenant),
    h("section", { "aria-labelledby": "member-actions", class: "actions narrow-form" },
      h("h2", { id: "member-actions" }, t("members.actions")), registerForm(tenant)));
}
