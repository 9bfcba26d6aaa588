// The review card: the whole case study a coordinator decides on, the hub's name, and on a
// resubmission what changed since the version a coordinator rejected, as the API says
// (`changes`, kept by the registry with each rejection: any coordinator, in any browser, sees it).
import { h } from "./dom.js";
import { byName, colon } from "./format.js";
import { language, t, value } from "./i18n.js";

const years = (start, end) => (start || end ? `${start ?? "?"}–${end ?? "…"}` : "");

// The facts of a case study, in words, in the order the card shows them.
export function facts(uc) {
  return [
    ["summary", uc.summary || ""],
    ["territories", uc.territories.nodes.map((x) => x.name).sort(byName()).join(", ")],
    ["domains", uc.domains.nodes.map((d) => d.name || d.slug).sort(byName()).join(", ")],
    ["dataCategories", uc.dataCategories.filter((c) => c !== "UNKNOWN").map((c) => value(c)).sort(byName()).join(", ")],
    ["status", value(uc.status)],
    ["years", years(uc.yearStart, uc.yearEnd)],
    ["governance", value(uc.governance)],
    ["sources", uc.sources.map((s) => `${s.title} <${s.url}>`).join(", ")],
    ["hub", uc.contributor?.name || uc.hub || ""],
  ];
}

// A value of the API's `changes` in words: enum names translated, slugs named where the card
// knows the record (a territory removed since is shown by its slug), texts in the page's language.
function words(uc, field, v) {
  if (v === null || v === undefined) return "";
  const names = Object.fromEntries([...uc.territories.nodes, ...uc.domains.nodes].map((x) => [x.slug, x.name || x.slug]));
  if (field === "territories" || field === "domains") return v.map((slug) => names[slug] || slug).sort(byName()).join(", ");
  if (field === "sources") return v.map((s) => `${s.title} <${s.url}>`).join(", ");
  if (field === "dataCategories") return v.filter((c) => c !== "UNKNOWN").map((c) => value(c)).sort(byName()).join(", ");
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return v[language()] || v.en || v.fr || "";
  if (field === "status" || field === "governance") return value(v);
  return String(v);
}

// The changed facts as the card shows them: the two years read as one fact, as on the card.
function changed(uc) {
  const rows = [];
  const byField = Object.fromEntries(uc.changes.map((c) => [c.field, c]));
  for (const c of uc.changes) {
    if (c.field === "yearStart" || c.field === "yearEnd") {
      if (rows.some(([key]) => key === "years")) continue;
      const start = byField.yearStart || { before: uc.yearStart, after: uc.yearStart };
      const end = byField.yearEnd || { before: uc.yearEnd, after: uc.yearEnd };
      rows.push(["years", years(start.before, end.before), years(start.after, end.after)]);
    } else {
      rows.push([c.field, words(uc, c.field, c.before), words(uc, c.field, c.after)]);
    }
  }
  return rows;
}

export function factList(uc) {
  return h("dl", { class: "facts-list" }, facts(uc).flatMap(([key, text]) => [
    h("dt", {}, t(`review.${key}`)), h("dd", { "data-fact": key }, text || t("review.none")),
  ]));
}

export function changeList(uc) {
  if (!uc.changes) return null; // never rejected: nothing to compare with
  const rows = changed(uc);
  if (!rows.length) return h("p", { class: "changes" }, t("review.unchanged"));
  return h("div", { class: "changes" },
    h("p", {}, h("strong", {}, t("review.changed"))),
    h("ul", {}, rows.map(([key, before, now]) => h("li", { "data-changed": key },
      colon(t(`review.${key}`)),
      h("del", { "aria-label": t("review.before") }, before || t("review.none")), " → ",
      h("ins", { "aria-label": t("review.now") }, now || t("review.none"))))));
}
