// The as-of control, under the header of every tenant page: the auditor chooses a
// moment (a time as recorded, in Beijing time, or a position in the tenant's log) and
// the page is read as the tenant stood then. While the past is read, a banner says
// so in words (not by colour alone) with a button back to the present. The moment
// is also in the address (`#/tenants/x/meetings?at=186`), so a link to it can be
// shared; within the console the moment stays set from page to page.
import { graphql, problemMessage, token } from "./api.js";
import { past, setPast, tenantVariables } from "./as_of.js";
import { h, uid } from "./dom.js";
import { field, isoTime } from "./forms.js";
import { t, when } from "./i18n.js";

/** The tenant a #fragment's page is about (null: not a tenant page). */
export function tenantOf(path) {
  const found = path.match(/^#\/tenants\/([^/?]+)/);
  return found ? decodeURIComponent(found[1]) : null;
}

/** ``address`` without the moment's parameters; a page's own (filters) stay. */
function withoutMoment(address) {
  const [path, query = ""] = address.split("?");
  const params = new URLSearchParams(query);
  params.delete("at");
  params.delete("asOf");
  return [path, params];
}

/** The address for ``address`` read at the moment being read (none: the present). */
export function addressOf(address, moment = past()) {
  const [path, params] = withoutMoment(address);
  if (moment?.asOf) params.set("asOf", moment.asOf);
  else if (Number.isInteger(moment?.atPosition)) params.set("at", String(moment.atPosition));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * Take the moment the address names (a shared link), keep the one already read when
 * it names none, leave a log position behind on leaving its tenant, and show the
 * moment in the address. Returns the address without the moment (the page and
 * its own parameters), for the router.
 */
export function followAddress(hash) {
  if (!token()) setPast(null); // signed out: the next to sign in starts in the present
  const [path, query = ""] = hash.split("?");
  const asked = new URLSearchParams(query);
  const tenant = tenantOf(path);
  if (asked.has("at") && /^\d+$/.test(asked.get("at"))) {
    setPast({ atPosition: Number(asked.get("at")), tenant });
  } else if (asked.get("asOf") && !Number.isNaN(Date.parse(asked.get("asOf")))) {
    setPast({ asOf: asked.get("asOf") });
  } else if (past()?.tenant && tenant && past().tenant !== tenant) {
    setPast(null); // a position is a place in one tenant's log only
  }
  const [, own] = withoutMoment(hash);
  const page = own.toString() ? `${path}?${own}` : path;
  const shown = tenant ? addressOf(page) : page;
  if (shown !== hash) history.replaceState(null, "", shown);
  return page;
}

/** The moment in words: "as recorded by <time>" or "at log position <n>". */
function momentText(moment) {
  return moment.asOf ? t("asOf.byTime", { time: when(moment.asOf) }) : t("asOf.byPosition", { position: moment.atPosition });
}

/** The control (and, in the past, the banner) for the tenant page at ``path``. */
export function asOfControl(path, rerender) {
  const tenantId = tenantOf(path);
  if (!tenantId) return null;
  const moment = past();
  const alert = h("p", { role: "alert", class: "problem" });
  const go = async (chosen) => {
    setPast(chosen);
    history.replaceState(null, "", addressOf(path));
    await rerender();
  };
  const timeInput = h("input", { type: "datetime-local", name: "as_of", step: 1, required: true });
  const positionInput = h("input", { type: "number", name: "at_position", min: 0, step: 1, required: true, inputmode: "numeric" });
  const positionHint = h("span", { class: "hint", id: uid("hint") }, t("asOf.positionHint"));
  const byTime = h("form", {
    class: "as-of-form", "aria-label": t("asOf.timeForm"),
    onsubmit: (event) => { event.preventDefault(); go({ asOf: isoTime(timeInput.value) }); },
  }, field("asOf.time", timeInput, "asOf.timeHint"), h("button", { type: "submit" }, t("asOf.showTime")));
  const byPosition = h("form", {
    class: "as-of-form", "aria-label": t("asOf.positionForm"),
    onsubmit: (event) => { event.preventDefault(); go({ atPosition: Number(positionInput.value), tenant: tenantId }); },
  }, field("asOf.position", positionInput), positionHint, h("button", { type: "submit" }, t("asOf.showPosition")));
  positionInput.setAttribute("aria-describedby", positionHint.id);
  const chooser = h("details", { class: "as-of-choose" },
    h("summary", {}, t(moment ? "asOf.change" : "asOf.open")), h("div", { class: "as-of-forms" }, byTime, byPosition), alert);
  const detail = h("span", { class: "as-of-detail" });
  // The log's size now, and in the past where the moment falls: said, not required.
  graphql(`query AsOfPlace($tenant: ID!, $asOf: DateTime, $at: Int) {
    now: tenant(id: $tenant) { headPosition }
    then: tenant(id: $tenant, asOf: $asOf, atPosition: $at) { asOfPosition events(last: 1) { nodes { recordedAt } } } }`,
  { tenant: tenantId, asOf: tenantVariables(tenantId).asOf, at: tenantVariables(tenantId).at }).then((data) => {
    const head = data.now?.headPosition;
    if (head !== undefined) {
      positionInput.max = head;
      positionHint.textContent = t("asOf.positionRange", { head });
    }
    if (!moment) return;
    const last = data.then?.events.nodes[0];
    detail.textContent = data.then
      ? t("asOf.where", { position: data.then.asOfPosition ?? 0, head, recorded: last ? when(last.recordedAt) : t("common.none") })
      : t("asOf.nothingYet");
  }).catch((error) => { alert.textContent = problemMessage(error); });
  if (!moment) return h("div", { class: "as-of" }, chooser);
  return h("div", { class: "as-of past" },
    h("aside", { class: "as-of-banner", "aria-label": t("asOf.bannerLabel") },
      h("p", {}, h("strong", { class: "as-of-mark" }, t("asOf.mark")), " ",
        h("span", { "data-as-of": "moment" }, t("asOf.reading", { moment: momentText(moment) })), " ", detail),
      h("button", { type: "button", class: "as-of-present", onclick: () => go(null) }, t("asOf.present"))),
    chooser);
}

/** A button that sets the control to ``position``: the page re-reads as it stood
 * just after the event at that position (through the address, as a link would). */
export function readAtButton(position, key = "asOf.after") {
  return h("button", {
    type: "button", class: "link", "data-read-at": position,
    onclick: () => { location.hash = addressOf(location.hash, { atPosition: position }); },
  }, t(key, { position }));
}
