// The review card: the whole case study a coordinator decides on, and on a resubmission what
// changed since the version this coordinator last saw.
//
// Why "the version last seen" and not the audit trail: the audit trail is for admins only, and
// the API keeps no earlier version of a record. So this page keeps, in this browser, a copy of
// each case study as the coordinator saw it (first sight, and again at each decision); a
// resubmission is compared with that copy. Another browser, or another coordinator, starts
// without a copy and sees the case study whole, with no comparison.
import { h } from "./dom.js";
import { byName, colon } from "./format.js";
import { t, value } from "./i18n.js";

const SEEN = "registry-explorer-seen";
const read = () => { try { return JSON.parse(localStorage.getItem(SEEN) || "{}"); } catch { return {}; } };

// The facts of a case study, in words, in the order the card shows them.
export function facts(uc) {
  const years = uc.yearStart || uc.yearEnd ? `${uc.yearStart ?? "?"}–${uc.yearEnd ?? "…"}` : "";
  return [
    ["summary", uc.summary || ""],
    ["territories", uc.territories.nodes.map((x) => x.name).sort(byName()).join(", ")],
    ["domains", uc.domains.nodes.map((d) => d.name || d.slug).sort(byName()).join(", ")],
    ["dataCategories", uc.dataCategories.filter((c) => c !== "UNKNOWN").map((c) => value(c)).sort(byName()).join(", ")],
    ["status", value(uc.status)],
    ["years", years],
    ["governance", value(uc.governance)],
    ["sources", uc.sources.map((s) => `${s.title} <${s.url}>`).join(", ")],
    ["hub", uc.hub || ""],
  ];
}

// What the card compares: the codes and slugs, not the words (a language switch changes no fact).
function snapshot(uc) {
  return {
    version: uc.version, title: uc.title, summary: uc.summary || "", status: uc.status, governance: uc.governance,
    years: [uc.yearStart, uc.yearEnd], dataCategories: [...uc.dataCategories].sort(),
    territories: uc.territories.nodes.map((x) => x.slug).sort(), domains: uc.domains.nodes.map((d) => d.slug).sort(),
    sources: uc.sources.map((s) => `${s.title} <${s.url}>`), words: Object.fromEntries(facts(uc)),
  };
}

export function remember(uc, always = false) {
  const seen = read();
  if (!always && seen[uc.id]) return;
  seen[uc.id] = snapshot(uc);
  localStorage.setItem(SEEN, JSON.stringify(seen));
}

export function forget(uc) {
  const seen = read();
  delete seen[uc.id];
  localStorage.setItem(SEEN, JSON.stringify(seen));
}

const KEYS = { summary: "summary", status: "status", governance: "governance", years: "years", dataCategories: "dataCategories",
  territories: "territories", domains: "domains", sources: "sources" };

// The fields that differ from the copy last seen, each with its words then and now; null without a copy.
export function changes(uc) {
  const before = read()[uc.id];
  if (!before || before.version >= uc.version) return null;
  const now = snapshot(uc);
  const changed = [];
  if (before.title !== now.title) changed.push(["title", before.title || "", now.title || ""]);
  for (const [key, word] of Object.entries(KEYS)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(now[key])) changed.push([word, before.words[word] || "", now.words[word] || ""]);
  }
  return { version: before.version, changed };
}

export function factList(uc) {
  return h("dl", { class: "facts-list" }, facts(uc).flatMap(([key, text]) => [
    h("dt", {}, t(`review.${key}`)), h("dd", { "data-fact": key }, text || t("review.none")),
  ]));
}

export function changeList(uc) {
  const diff = changes(uc);
  if (!diff) return null;
  if (!diff.changed.length) return h("p", { class: "changes" }, t("review.unchanged", { version: diff.version }));
  return h("div", { class: "changes" },
    h("p", {}, h("strong", {}, t("review.changed", { version: diff.version }))),
    h("ul", {}, diff.changed.map(([key, before, now]) => h("li", { "data-changed": key },
      colon(t(`review.${key}`)),
      h("del", { "aria-label": t("review.before") }, before || t("review.none")), " → ",
      h("ins", { "aria-label": t("review.now") }, now || t("review.none"))))));
}
