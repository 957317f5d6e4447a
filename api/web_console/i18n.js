// The message catalogue: every label the console shows comes from
// /console/messages/<language>.json, never from a component (docs/console.md).

export const LANGUAGES = ["zh-CN", "en"];
const STORED = "gongjian.language";
let current = LANGUAGES[0];
let messages = {};

/** Load the stored language's catalogue (zh-CN unless the user chose another). */
export async function loadLanguage(language = localStorage.getItem(STORED)) {
  current = LANGUAGES.includes(language) ? language : LANGUAGES[0];
  const answer = await fetch(`/console/messages/${current}.json`);
  messages = await answer.json();
  document.documentElement.lang = current;
}

/** Switch language and remember the choice in this browser. */
export async function setLanguage(language) {
  localStorage.setItem(STORED, language);
  await loadLanguage(language);
}

export function language() {
  return current;
}

export function has(key) {
  return Object.hasOwn(messages, key);
}

/** The message ``key`` with ``{name}`` placeholders filled from ``params``. */
export function t(key, params = {}) {
  const message = has(key) ? messages[key] : key;
  return message.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : ""));
}

/** A label for a code the API returns (a status, a position), or the code itself. */
export function label(group, code) {
  return code === null || code === undefined ? "" : has(`${group}.${code}`) ? t(`${group}.${code}`) : code;
}

/** A date and time as the user's language writes it, in the tenants' zone. */
export function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, {
    dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Shanghai",
  }).format(new Date(iso));
}

/** A share (0.75) as a percentage, or a dash when there is nothing to divide. */
export function percent(rate) {
  if (rate === null || rate === undefined) return t("common.none");
  return new Intl.NumberFormat(current, { style: "percent", maximumFractionDigits: 1 }).format(Number(rate));
}
