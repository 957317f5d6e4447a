// Command forms: labelled fields, a submit button, and a problem shown in place.
// A refused command leaves the form as the user filled it, so nothing typed is lost.
import { command, problemMessage } from "./api.js";
import { readingPast } from "./as_of.js";
import { mayPost } from "./viewer.js";
import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

/** A labelled input; ``control`` is an input, select or textarea built by h(). */
export function field(labelKey, control, hintKey) {
  const id = control.id || uid();
  control.id = id;
  const hint = hintKey && h("span", { class: "hint", id: `${id}-hint` }, t(hintKey));
  if (hint) control.setAttribute("aria-describedby", hint.id);
  return h("div", { class: "field" }, h("label", { for: id }, t(labelKey)), control, hint);
}

/** A select of ``options`` ([value, text] pairs), with an empty first choice. */
export function select(name, options, { required = true, empty = "common.choose" } = {}) {
  return h("select", { name, required },
    h("option", { value: "" }, t(empty)),
    options.map(([value, text]) => h("option", { value }, text)));
}

/** When a thing happened, as the user states it (empty: now), in Beijing time. */
export function occurredAtField(name = "occurred_at") {
  return field("form.occurredAt", h("input", { type: "datetime-local", name }), "form.occurredAtHint");
}

/** "2026-11-12T09:00" typed in Beijing time, as the API's ISO time; null if empty. */
export function isoTime(local) {
  return local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : null;
}

/**
 * A form that sends one command: ``body(form)`` builds the command's body from the
 * form's fields (it may be async, e.g. to upload a file first), ``done(answer)`` runs
 * after it is accepted (re-reading the page).
 * While the past is being read (as_of.js) it is only a note: nothing can be written.
 * A command the viewer's role may not send (viewer.js) gives no form at all (null).
 */
export function commandForm({ title, tenantId, path, fields, body, done, submitKey, name }) {
  if (!mayPost(tenantId, concretePath(path))) return null;
  if (readingPast()) return h("p", { class: "note", "data-command": name || path }, t("asOf.readOnly", { command: t(title) }));
  const alert = h("p", { role: "alert", class: "problem" });
  const submit = h("button", { type: "submit" }, t(submitKey || title));
  const heading = h("h3", { id: uid("h") }, t(title));
  const form = h("form", {
    class: "command", "aria-labelledby": heading.id, "data-command": name || path,
    onsubmit: async (event) => {
      event.preventDefault();
      alert.textContent = "";
      submit.disabled = true;
      try {
        const payload = Object.fromEntries(Object.entries(await body(form)).filter(([, v]) => v !== null && v !== ""));
        const answer = await command(tenantId, typeof path === "function" ? path(form) : path, payload);
        await done(answer);
      } catch (error) {
        // Announced by role="alert"; focus stays where the user was typing.
        alert.textContent = problemMessage(error);
      } finally {
        submit.disabled = false;
      }
    },
  }, heading, fields, alert, submit);
  return form;
}

/** A command's path; for one chosen in the form (an item's), with a stand-in id. */
function concretePath(path) {
  if (typeof path !== "function") return path;
  const standIn = { elements: { namedItem: () => ({ value: "x" }) }, querySelectorAll: () => [] };
  try {
    return path(standIn);
  } catch {
    return null; // not to be guessed: the API judges it when sent
  }
}

/** The trimmed value of the form's field ``name`` (null when empty). */
export function value(form, name) {
  const found = form.elements.namedItem(name);
  const text = found ? String(found.value).trim() : "";
  return text === "" ? null : text;
}
