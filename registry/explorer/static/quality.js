// Below a record's panel: how complete it is (the API's `completeness`: the share of its fields
// holding a sourced value, what is missing, its inferences, home pages only) and its history (the
// API's `history`: the versions the caller may see, in a collapsed list). For a case study, "what is
// missing" leads to the hub form: prefilled with the case study when its hub (or a coordinator)
// may edit it there, else the empty form.
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, h } from "./dom.js";
import { colon } from "./format.js";
import { language, t, value } from "./i18n.js";

// A share in whole percent as the page's language writes it: "33%", "33 %".
const share = (percent) => new Intl.NumberFormat(language(), { style: "percent" }).format(percent / 100);

const HISTORY_SHOWN = 20;
const label = (field) => t(`facts.${field}`);

// A value of a change in words: enum names translated, lists joined, texts in the page's language.
function words(field, v) {
  if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return t("review.none");
  if (field === "sources") return v.map((s) => `${s.title} <${s.url}>`).join(", ");
  if (Array.isArray(v)) return v.map((x) => (/^[A-Z_]+$/.test(x) ? value(x) : String(x))).join(", ");
  if (typeof v === "object") return v[language()] || v.en || v.fr || JSON.stringify(v);
  if (typeof v === "string" && /^[A-Z_]+$/.test(v)) return value(v);
  return String(v);
}

function completeness(node) {
  const c = node.completeness;
  const mayComplete = node.__typename === "UseCase";
  const complete = mayComplete && c.unknownFields.length
    ? h("p", {}, h("a", { href: "#hubs", class: "complete-case", "data-slug": node.slug,
      onclick: (e) => {
        e.preventDefault();
        // The page opens the hub form: with this case study when the caller may edit it (app.js).
        document.dispatchEvent(new CustomEvent("explorer:complete-case", { detail: { slug: node.slug } }));
      } }, t("completeness.complete")))
    : null;
  return h("section", { class: "panel-completeness", "aria-labelledby": "panel-completeness-h" },
    h("h4", { id: "panel-completeness-h" }, `${t("completeness.title")} (${share(c.percent)})`),
    h("p", { "data-percent": String(c.percent) }, t("completeness.percent", { percent: share(c.percent), declared: c.declaredFields })),
    h("p", {}, colon(t("completeness.missing")), c.unknownFields.length
      ? h("span", { class: "missing" }, c.unknownFields.map(label).join(", ")) : t("completeness.nothingMissing")),
    c.inferences.length ? h("p", {}, colon(t("completeness.inferences")), c.inferences.map(label).join(", ")) : null,
    c.homePageOnly ? h("p", { class: "home-page-only" }, t("completeness.homePageOnly")) : null,
    complete);
}

function version(v) {
  const at = new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(v.at));
  return h("li", { "data-version": String(v.version), "data-action": v.action },
    h("strong", {}, t("history.version", { version: v.version, at })), ` · ${t(`history.action.${v.action}`)}`,
    v.changes.length
      ? h("ul", { class: "changes" }, v.changes.map((c) => h("li", { "data-changed": c.field }, colon(label(c.field)),
        h("del", { "aria-label": t("review.before") }, words(c.field, c.before)), " → ",
        h("ins", { "aria-label": t("review.now") }, words(c.field, c.after)))))
      : h("p", { class: "muted" }, t("history.nothing")),
    h("p", { class: "muted" }, colon(t("history.sourcesThen")), v.sources.map((s) => s.title).join(", ") || t("review.none")));
}

function history(node) {
  const versions = node.history;
  return h("section", { class: "panel-history", "aria-labelledby": "panel-history-h" },
    h("h4", { id: "panel-history-h" }, `${t("history.title")} (${versions.length})`),
    versions.length
      ? h("details", {}, h("summary", {}, t("history.show", { n: versions.length })), h("ol", { class: "versions" }, versions.map(version)))
      : h("p", { class: "muted" }, t("history.none")));
}

// Append both sections to the panel now showing record `id` (`current` says whether it still is).
export async function showQuality(id, current) {
  const { node } = await request(ops.RecordQuality, { id, limit: HISTORY_SHOWN });
  if (!node || !current()) return;
  $("#panel-body").append(completeness(node), history(node));
}
