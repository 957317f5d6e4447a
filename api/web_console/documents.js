// Files to and from the API with the user's bearer token: official documents (PDFs)
// and evidence files are GET routes that need the token, so a plain link cannot
// fetch them; a document link fetches the file and hands the browser the blob to
// save. Uploading an evidence file sends its bytes as the body (docs/api.md).
import { Problem, problemMessage, token } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

async function refused(answer) {
  const body = await answer.json().catch(() => null);
  return new Problem(answer.status, body?.code || `http-${answer.status}`, body?.detail || "");
}

/** GET ``path`` (under the API's root) with the token; the file as a Blob, or a Problem. */
export async function fetchFile(path) {
  const answer = await fetch(path, { headers: { Authorization: `Bearer ${token() || ""}` } });
  if (!answer.ok) throw await refused(answer);
  return answer.blob();
}

/** Hand ``blob`` to the browser to save as ``fileName``. */
export function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A link that downloads ``path`` with the token and saves it as ``fileName``; its
 * text is the catalogue's ``labelKey`` (with ``params``). A refusal is said next to it.
 */
export function documentLink(path, labelKey, fileName, params = {}) {
  const alert = h("span", { role: "alert", class: "problem" });
  const link = h("a", {
    href: path, download: fileName, class: "document",
    onclick: async (event) => {
      event.preventDefault();
      alert.textContent = "";
      link.setAttribute("aria-busy", "true");
      try {
        saveBlob(await fetchFile(path), fileName);
      } catch (error) {
        alert.textContent = problemMessage(error);
      } finally {
        link.removeAttribute("aria-busy");
      }
    },
  }, t(labelKey, params));
  return h("span", { class: "document-link" }, link, " ", alert);
}

/** Upload ``file`` (a File from an input) as an evidence file of ``tenantId``; the
 * API's answer (sha256, name, download_path …), or a Problem. */
export async function uploadEvidence(tenantId, file) {
  const query = new URLSearchParams({ name: file.name });
  const answer = await fetch(`/tenants/${encodeURIComponent(tenantId)}/evidence-files?${query}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token() || ""}`, "Content-Type": file.type || "application/octet-stream" },
    body: file,
  });
  if (!answer.ok) throw await refused(answer);
  return answer.json();
}

/** A size in bytes as people read it (kB, MB). */
export function fileSize(bytes) {
  if (bytes < 1024) return t("documents.bytes", { n: bytes });
  if (bytes < 1024 * 1024) return t("documents.kilobytes", { n: (bytes / 1024).toFixed(1) });
  return t("documents.megabytes", { n: (bytes / 1024 / 1024).toFixed(1) });
}
