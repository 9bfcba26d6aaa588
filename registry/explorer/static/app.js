// The explorer: five views over the public GraphQL API (operations.js), in French and English.
// A record opens in the side panel (panel.js) from every view.
import * as ops from "./operations.js";
import { request, saveKey } from "./api.js";
import { combobox } from "./combobox.js";
import { $, ask, gid, h } from "./dom.js";
import { byName, colon, number, rankChoices } from "./format.js";
import { DATA_CATEGORIES, GOVERNANCE, STATUSES, language, setLanguage, t, translate, value } from "./i18n.js";
import { clearErrors, completeCase, hub, loadCaseStudies, onHubsError, saveCase, showEditing, showKeyState, showTerritories, startLive } from "./hubs.js";
import { loadNetwork, onNetworkError, showMore, zoom } from "./network.js";
import { closePanel, openRecord, recordLink } from "./panel.js";
import { findPath } from "./path.js";
import { loadMap, mapZoom } from "./mapview.js";

const apiLanguage = () => language().toUpperCase(); // the API's Language enum: EN, FR
const VIEWS = ["map", "network", "partners", "experiments", "path", "hubs"];
const PARTNERS_PAGE = 10; // partner cities asked for at first, and added by "more"
const ACTOR_KINDS = [
  "LOCAL_AUTHORITY", "NATIONAL_BODY", "INSURER", "ENERGY_SUPPLIER", "ENERGY_GRID_OPERATOR", "TELECOM_OPERATOR", "BANK",
  "RETAILER", "MOBILITY_OPERATOR", "WATER_UTILITY", "WASTE_SERVICE", "PERSONAL_CLOUD_OPERATOR", "THINK_TANK",
  "NETWORK_OR_HUB", "NGO", "RESEARCH", "COOPERATIVE", "DEVELOPER", "FUNDER", "COMPANY",
];

const state = { view: "map", catalogue: null, partners: PARTNERS_PAGE };

function showError(error) {
  const box = $("#error");
  box.hidden = !error;
  box.textContent = error ? `${colon(t("error.general"))}${error.message || error}` : "";
}

async function run(work) {
  try {
    showError(null);
    await work();
  } catch (error) {
    showError(error);
  }
}

function options(select, items, { any = false, unknown = false, keep = true } = {}) {
  const previous = [...select.selectedOptions].map((o) => o.value);
  select.replaceChildren(...(any ? [h("option", { value: "" }, t("any"))] : []),
    ...(unknown ? [h("option", { value: "UNKNOWN" }, t("field.unknown"))] : []),
    ...items.map(([v, text]) => h("option", { value: v }, text)));
  if (keep) for (const o of select.options) o.selected = previous.includes(o.value);
}

// -- the pickers: territories, priorities and records found as the user types, so any network size works
const CITIES = ["CITY", "METROPOLIS", "AGGLOMERATION", "REGION"]; // partner cities: not countries
// The API answers in name order: an exact match, then names starting with the text, come first.
const territories = (kinds) => async (text) =>
  rankChoices((await request(ops.TerritoryChoices, { text: text || null, kinds, lang: apiLanguage() }))
    .territories.nodes.map((x) => ({ value: x.slug, name: x.name, label: `${x.name} (${x.country})` })), text).slice(0, 10);

const PICKERS = {
  "#partners-territory": territories(CITIES),
  "#cs-territories": territories(null),
  "#experiments-priority": async (text) => (await request(ops.PriorityChoices, { text: text || null, lang: apiLanguage() }))
    .priorities.nodes.map((p) => ({ value: p.slug, label: `${p.territory ? p.territory.name + " — " : ""}${p.title}` })),
  "#path-from": records,
  "#path-to": records,
};

async function records(text) {
  if (!text) return null; // every record is too many to list: wait for a word
  const { search } = await request(ops.RecordChoices, { text, lang: apiLanguage() });
  return rankChoices(search.nodes.filter((n) => n.slug)
    .map((n) => ({ value: n.id, name: n.label, label: `${n.label} (${t(`one.${n.__typename}`)})` })), text).slice(0, 10);
}

// -- the catalogue: names of territories, domains, organisations and priorities ----------------
async function loadCatalogue() {
  state.catalogue = await request(ops.Catalogue, { lang: apiLanguage() });
  const c = state.catalogue;
  const domains = c.domains.nodes.map((d) => [d.slug, d.name]).sort(byName((x) => x[1])); // "Économie" sorts with the E's in French
  options($("#filter-domain"), domains, { any: true });
  const countries = [...new Set(c.territories.nodes.map((x) => x.country))].sort(byName());
  options($("#filter-country"), countries.map((code) => [code, code]), { any: true });
  options($("#filter-kind"), ACTOR_KINDS.map((k) => [k, value(k)]), { any: true });
  options($("#cs-domains"), domains);
  options($("#cs-data-categories"), DATA_CATEGORIES.map((d) => [d, value(d)]).sort(byName((x) => x[1])));
  // "unknown" first and chosen: a form default never writes a fact the hub did not give
  options($("#cs-status"), STATUSES.filter((s) => s !== "UNKNOWN").map((s) => [s, value(s)]), { unknown: true });
  options($("#cs-governance"), GOVERNANCE.filter((g) => g !== "UNKNOWN").map((g) => [g, value(g)]), { unknown: true });
}

// -- partner finder -------------------------------------------------------------------------------
const list = (items) => (items.length ? h("ul", {}, items.map((x) => h("li", {}, x))) : "—");

async function loadPartners() {
  const territory = $("#partners-territory").dataset.value;
  if (!territory) return;
  const current = ask("partners");
  const { partnerCities } = await request(ops.PartnerCities, { territory, first: state.partners, lang: apiLanguage() });
  if (!current()) return;
  const domainName = new Map(state.catalogue.domains.nodes.map((d) => [d.slug, d.name]));
  const actorName = new Map(state.catalogue.actors.nodes.map((a) => [a.slug, a.name]));
  const of = (match, kinds, key, names) =>
    [...new Set(match.reasons.filter((r) => kinds.includes(r.kind)).flatMap((r) => r[key]))].map((s) => names.get(s) || s);
  $("#partners-table tbody").replaceChildren(...partnerCities.map((m) => h("tr", { "data-slug": m.territory.slug },
    h("th", { scope: "row" }, recordLink(m.territory.id, m.territory.name)),
    h("td", {}, number(m.score)),
    h("td", { class: "reasons" }, list(m.reasons.map((r) => r.label))),
    h("td", {}, list(of(m, ["SHARED_PRIORITY_DOMAIN", "PRIORITY_IN_THEIR_USE_CASES", "SHARED_USE_CASE_DOMAIN"], "domains", domainName))),
    h("td", {}, list(of(m, ["SHARED_PARTNER"], "actors", actorName))),
    h("td", {}, list(of(m, ["SHARED_PLATFORM"], "actors", actorName))),
  )));
  // a full page may have more behind it: the API ranks every territory, "more" asks for 10 more
  $("#partners-more").hidden = partnerCities.length < state.partners;
}

// -- experiment finder ---------------------------------------------------------------------------
async function loadExperiments() {
  const priority = $("#experiments-priority").dataset.value;
  if (!priority) return;
  const current = ask("experiments");
  const { candidateExperiments } = await request(ops.CandidateExperiments, { priority, lang: apiLanguage() });
  if (!current()) return;
  $("#experiments-list").replaceChildren(...candidateExperiments.map((c) => h("li", { "data-slug": c.useCase.slug },
    recordLink(c.useCase.id, c.useCase.title || c.useCase.slug),
    ` — ${colon(t("experiments.status"))}`, h("span", { class: "state" }, value(c.useCase.status)),
    " · ", ...c.useCase.territories.nodes.flatMap((x, i) => [i ? ", " : "", recordLink(x.id, x.name)]),
    ` · ${t("partners.score")} ${number(c.score)}`,
    list(c.reasons.map((r) => r.label)),
    h("p", {}, colon(t("record.sources")), ...c.useCase.sources.flatMap((s, i) => [i ? ", " : "", h("a", { href: s.url }, s.title)])),
  )));
}

// A permalink, /explore/{kind}/{slug} (/explore/territory/lyon, /explore/use-case/ecolyo), opens
// the page's first view with that record's panel.
async function openPermalink() {
  const found = /\/explore\/([a-z-]+)\/([^/?#]+)\/?$/.exec(location.pathname);
  if (!found) return;
  const kind = found[1].replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase()); // use-case -> UseCase
  await openRecord(gid(kind, decodeURIComponent(found[2])));
}

// -- views, language, start -------------------------------------------------------------------------
const LOADERS = { map: loadMap, network: loadNetwork, partners: loadPartners, experiments: loadExperiments, path: async () => {}, hubs: loadCaseStudies };

function show(view) {
  state.view = VIEWS.includes(view) ? view : "map"; // the first view: the programme's cities on the map
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== state.view;
  document.querySelectorAll("nav button").forEach((b) => {
    if (b.dataset.view === state.view) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  });
  if (location.hash !== `#${state.view}`) history.replaceState(null, "", `${location.pathname}#${state.view}`); // a permalink keeps its path
  if (state.view === "hubs") { showKeyState(); startLive(); }
  return run(LOADERS[state.view]);
}

async function start() {
  $("#lang-switch").value = language();
  translate();
  $("#lang-switch").addEventListener("change", (e) => run(async () => {
    setLanguage(e.target.value);
    translate();
    await loadCatalogue();
    showEditing();
    if (state.view === "hubs") { showKeyState(); $("#live-state").textContent = t(`hubs.live.${$("#live-state").dataset.mode || "off"}`); }
    await LOADERS[state.view]();
  }));
  document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
  for (const id of ["#filter-domain", "#filter-country", "#filter-kind"]) $(id).addEventListener("change", () => run(loadNetwork));
  $("#network-more").addEventListener("click", () => run(showMore));
  $("#zoom-in").addEventListener("click", () => zoom("zoomIn"));
  $("#zoom-out").addEventListener("click", () => zoom("zoomOut"));
  $("#zoom-reset").addEventListener("click", () => zoom("reset"));
  $("#map-zoom-in").addEventListener("click", () => mapZoom("zoomIn"));
  $("#map-zoom-out").addEventListener("click", () => mapZoom("zoomOut"));
  $("#map-reset").addEventListener("click", () => mapZoom("reset"));
  $("#map-world").addEventListener("click", () => mapZoom("world"));
  for (const id of ["#map-status", "#map-country"]) $(id).addEventListener("change", () => run(loadMap));
  onNetworkError(showError);
  onHubsError(run);
  $("#panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", (e) => {
    const at = document.activeElement;
    if (e.key === "Escape" && !$("#panel").hidden && (at === document.body || $("#panel").contains(at))) closePanel();
  });
  $("#partners-more").addEventListener("click", () => { state.partners += PARTNERS_PAGE; run(loadPartners); });
  for (const [selector, search] of Object.entries(PICKERS)) combobox($(selector), search, () => t("combo.none"));
  $("#partners-territory").addEventListener("pick", () => { state.partners = PARTNERS_PAGE; run(loadPartners); });
  $("#experiments-priority").addEventListener("pick", () => run(loadExperiments));
  $("#cs-territories").addEventListener("pick", (e) => {
    hub.territories.set(e.detail.value, e.detail.label);
    e.target.value = "";
    showTerritories();
  });
  $("#path-form").addEventListener("submit", (e) => { e.preventDefault(); run(findPath); });
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    saveKey($("#api-key").value.trim());
    $("#api-key").value = "";
    showKeyState();
    startLive();
    run(loadCaseStudies);
  });
  $("#forget-key").addEventListener("click", () => { saveKey(""); showKeyState(); startLive(); run(loadCaseStudies); });
  document.addEventListener("explorer:complete-case", (e) => run(async () => {
    closePanel();
    await show("hubs");
    completeCase(e.detail.slug);
  }));
  $("#case-form").addEventListener("submit", (e) => { e.preventDefault(); run(() => saveCase(true)); });
  $("#cs-draft").addEventListener("click", () => run(() => saveCase(false)));
  $("#cs-new").addEventListener("click", () => {
    hub.caseStudy = null;
    $("#case-form").reset();
    hub.territories.clear();
    showTerritories();
    clearErrors();
    showEditing();
    $("#case-saved").textContent = "";
  });
  await run(loadCatalogue);
  await show(location.hash.slice(1));
  await run(openPermalink);
  document.body.dataset.ready = "true"; // the tests wait for this
}

start();
