// The record panel: one side panel, fixed beside the page (never off screen), opened from every view.
// A territory's panel answers "whom do I call there": its organisations with their role, kind and
// website, the use cases run there, its roadmap priorities and workshops, each with its sources.
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, ask, h, kindOf } from "./dom.js";
import { colon } from "./format.js";
import { language, t, value } from "./i18n.js";
import { showQuality } from "./quality.js";

const apiLanguage = () => language().toUpperCase();
let opener = null; // the control that opened the panel: the focus goes back to it on close

const FACTS = [
  ["territoryKind", "fact.kind"], ["actorKind", "fact.kind"], ["country", "filter.country"], ["actorCountry", "filter.country"],
  ["programmeStatus", "fact.programmeStatus"], ["useCaseStatus", "experiments.status"], ["priorityStatus", "experiments.status"],
  ["experimentStatus", "experiments.status"], ["governance", "field.governance"], ["yearStart", "field.yearStart"],
  ["yearEnd", "field.yearEnd"], ["reviewState", "fact.reviewState"],
];
const VERBATIM = new Set(["country", "actorCountry", "yearStart", "yearEnd"]);

export function sources(list, id = null) {
  return list.length
    ? h("ul", { class: "sources", id }, list.map((s) => h("li", {}, h("a", { href: s.url }, s.title))))
    : h("p", { class: "muted", id }, t("record.noSources"));
}

// The record's stable address (/explore/territory/lyon): a link to share, opening this panel.
const permalink = (record) => h("a", { class: "permalink", href: record.url, title: t("panel.permalink") }, record.url);

// A record's name as a button that opens its panel (used by every view and inside the panel).
export function recordLink(id, label, extra = {}) {
  return h("button", { type: "button", class: "linklike open-record", "data-id": id, ...extra,
    onclick: (e) => openRecord(id, e.currentTarget) }, label);
}

function show(children, label) {
  const panel = $("#panel");
  $("#panel-body").replaceChildren(...children.filter(Boolean)); // a record without a summary shows none, not "null"
  panel.dataset.record = label;
  const wasHidden = panel.hidden;
  const within = panel.contains(document.activeElement) || document.activeElement === document.body;
  panel.hidden = false;
  document.body.classList.add("with-panel");
  if (wasHidden) $("#panel-close").focus({ preventScroll: true });
  else if (within) $("#panel-title")?.focus({ preventScroll: true }); // a record chosen inside the panel: read from its name
  $("#panel-body").scrollTop = 0;
}

export function closePanel() {
  $("#panel").hidden = true;
  document.body.classList.remove("with-panel");
  document.querySelectorAll("svg .selected").forEach((n) => n.classList.remove("selected"));
  if (opener && opener.isConnected) opener.focus();
  opener = null;
}

// Open the record `id` in the panel; `from` is the control the user chose it with.
export async function openRecord(id, from = null) {
  if (from) opener = from;
  const current = ask("panel");
  $("#panel-body").setAttribute("aria-busy", "true");
  try {
    if (kindOf(id) === "Territory") await showTerritory(id, current);
    else await showRecord(id, current);
    if (current()) await showQuality(id, current); // how complete it is, and its history, below its facts
  } finally {
    $("#panel-body").removeAttribute("aria-busy");
  }
  document.querySelectorAll("svg .node.selected").forEach((n) => n.classList.remove("selected"));
  document.querySelector(`svg .node[data-id="${CSS.escape(id)}"]`)?.classList.add("selected");
}

async function showRecord(id, current) {
  const { node } = await request(ops.Record, { id, lang: apiLanguage() });
  if (!node || !current()) return;
  const facts = [];
  for (const [key, word] of FACTS) {
    if (node[key] !== undefined && node[key] !== null) {
      facts.push(h("li", { "data-fact": key }, colon(t(word)), VERBATIM.has(key) ? String(node[key]) : value(node[key])));
    }
  }
  if (node.website) facts.push(h("li", {}, h("a", { href: node.website }, node.website)));
  show([
    h("h3", { class: "record-label", id: "panel-title", tabindex: "-1" }, node.label),
    h("p", { class: "muted" }, `${t(`one.${node.__typename}`)} · `, permalink(node)),
    node.summary ? h("p", {}, node.summary) : null,
    h("ul", { class: "facts" }, facts),
    h("h4", {}, t("record.sources")),
    sources(node.sources, "panel-sources"),
  ], node.slug);
}

function section(key, connection, rows) {
  const more = connection.totalCount > connection.shown
    ? h("p", { class: "muted" }, t("panel.some", { shown: connection.shown, total: connection.totalCount })) : null;
  return h("section", { class: `panel-${key}`, "aria-labelledby": `panel-${key}-h` },
    h("h4", { id: `panel-${key}-h` }, `${t(`panel.${key}`)} (${connection.totalCount})`),
    rows.length ? rows : h("p", { class: "muted" }, t("panel.none")), more);
}

async function showTerritory(id, current) {
  const { node: x } = await request(ops.TerritoryPanel, { id, lang: apiLanguage() });
  if (!x || !current()) return;
  // An organisation can be present in several roles: one row, every role.
  const actors = new Map();
  for (const edge of x.actors.edges) {
    const row = actors.get(edge.node.id) || { actor: edge.node, roles: [] };
    if (edge.role && !row.roles.includes(edge.role)) row.roles.push(edge.role);
    actors.set(edge.node.id, row);
  }
  const organisations = h("table", { class: "whom" },
    h("thead", {}, h("tr", {}, ["panel.organisation", "panel.role", "fact.kind", "panel.website"]
      .map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, [...actors.values()].map(({ actor, roles }) => h("tr", { "data-slug": actor.slug },
      h("th", { scope: "row" }, recordLink(actor.id, actor.name), sources(actor.sources)),
      h("td", { class: "role" }, roles.length ? roles.map((r) => value(String(r).toUpperCase())).join(", ") : value("UNKNOWN")),
      h("td", {}, value(actor.kind)),
      h("td", { class: "website" }, actor.website
        ? h("a", { href: actor.website }, actor.website.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "")) : "—"),
    ))));
  const item = (record, facts) => h("li", { "data-slug": record.slug },
    recordLink(record.id, record.title || record.slug), facts.filter(Boolean).length ? ` — ${facts.filter(Boolean).join(" · ")}` : "",
    sources(record.sources));
  const size = (c) => ({ totalCount: c.totalCount, shown: (c.nodes || c.edges).length });
  show([
    h("h3", { class: "record-label", id: "panel-title", tabindex: "-1" }, x.name),
    h("p", { class: "muted" }, [`${t("one.Territory")} · ${value(x.kind)} · ${x.country}`,
      x.programmeStatus && x.programmeStatus !== "UNKNOWN" ? ` · ${value(x.programmeStatus)}` : "", " · "].join(""), permalink(x)),
    x.summary ? h("p", {}, x.summary) : null,
    h("h4", {}, t("record.sources")),
    sources(x.sources, "panel-sources"),
    section("organisations", { totalCount: x.actors.totalCount, shown: x.actors.edges.length }, actors.size ? [organisations] : []),
    section("useCases", size(x.useCases), x.useCases.nodes.length ? [h("ul", { class: "records" }, x.useCases.nodes.map((uc) =>
      item(uc, [value(uc.status), uc.reviewState !== "PUBLISHED" ? value(uc.reviewState) : null])))] : []),
    section("priorities", size(x.priorities), x.priorities.nodes.length ? [h("ul", { class: "records" }, x.priorities.nodes.map((p) =>
      item(p, [value(p.status)])))] : []),
    section("workshops", size(x.workshops), x.workshops.nodes.length ? [h("ul", { class: "records" }, x.workshops.nodes.map((w) =>
      item(w, [value(w.kind), w.date])))] : []),
  ], x.slug);
}

// A link of the network: its relation, its two ends, the role where it has one, and the record
// that states it with that record's sources (a link carries no sources of its own in the registry).
export async function openLink(link, from = null) {
  if (from) opener = from;
  const current = ask("panel");
  const { node } = await request(ops.Record, { id: link.stated, lang: apiLanguage() });
  if (!node || !current()) return;
  show([
    h("h3", { class: "record-label", id: "panel-title", tabindex: "-1" }, t(`rel.${link.rel}`)),
    h("p", { class: "muted" }, t("panel.link")),
    h("ul", { class: "facts" },
      h("li", {}, colon(t("panel.from")), recordLink(link.source, link.sourceLabel)),
      h("li", { "data-fact": "relation" }, colon(t("panel.relation")), t(`rel.${link.rel}`)),
      link.role ? h("li", { "data-fact": "role" }, colon(t("panel.role")), value(String(link.role).toUpperCase())) : null,
      h("li", {}, colon(t("panel.to")), recordLink(link.target, link.targetLabel))),
    h("h4", {}, t("panel.statedBy")),
    h("p", {}, recordLink(node.id, node.label)),
    h("h4", {}, t("record.sources")),
    sources(node.sources, "panel-sources"),
  ], `${link.source}-${link.rel}-${link.target}`);
}
