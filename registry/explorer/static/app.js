// The explorer: five views over the public GraphQL API (operations.js), in French and English.
// A record opens in the side panel (panel.js) from every view.
import * as ops from "./operations.js";
import { idempotencyKey, request, saveKey, savedKey } from "./api.js";
import { combobox } from "./combobox.js";
import { $, ask, gid, h } from "./dom.js";
import { byName, colon, number, rankChoices } from "./format.js";
import { DATA_CATEGORIES, GOVERNANCE, STATUSES, errorText, language, setLanguage, t, translate, value } from "./i18n.js";
import { watch } from "./live.js";
import { loadNetwork, onNetworkError, showMore, zoom } from "./network.js";
import { closePanel, openRecord, recordLink } from "./panel.js";
import { findPath } from "./path.js";
import { loadMap, mapZoom } from "./mapview.js";
import { changeList, factList, forget, remember } from "./review.js";

const apiLanguage = () => language().toUpperCase(); // the API's Language enum: EN, FR
const VIEWS = ["map", "network", "partners", "experiments", "path", "hubs"];
const PARTNERS_PAGE = 10; // partner cities asked for at first, and added by "more"
const ACTOR_KINDS = [
  "LOCAL_AUTHORITY", "NATIONAL_BODY", "INSURER", "ENERGY_SUPPLIER", "ENERGY_GRID_OPERATOR", "TELECOM_OPERATOR", "BANK",
  "RETAILER", "MOBILITY_OPERATOR", "WATER_UTILITY", "WASTE_SERVICE", "PERSONAL_CLOUD_OPERATOR", "THINK_TANK",
  "NETWORK_OR_HUB", "NGO", "RESEARCH", "COOPERATIVE", "DEVELOPER", "FUNDER", "COMPANY",
];

const state = {
  view: "network", catalogue: null, caseStudy: null, stopLive: null, partners: PARTNERS_PAGE,
  territories: new Map(), // the case study's territories: slug -> name, picked one by one
};

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

// -- hubs: the case-study form and the review list -------------------------------------------------
const FIELDS = {
  slug: "#cs-slug", yearStart: "#cs-year-start", yearEnd: "#cs-year-end", country: "#cs-country",
  status: "#cs-status", governance: "#cs-governance",
};

function caseInput() {
  const text = (en, fr) => ({ en: $(en).value.trim() || null, fr: $(fr).value.trim() || null });
  const year = (sel) => ($(sel).value === "" ? null : Number($(sel).value));
  const input = {
    slug: $("#cs-slug").value.trim() || null,
    title: text("#cs-title-en", "#cs-title-fr"),
    summary: text("#cs-summary-en", "#cs-summary-fr"),
    status: $("#cs-status").value, // UNKNOWN unless the hub chose: the API stores it as "no source states it"
    governance: $("#cs-governance").value,
    dataCategories: [...$("#cs-data-categories").selectedOptions].map((o) => o.value),
    domains: [...$("#cs-domains").selectedOptions].map((o) => o.value),
    territories: [...state.territories.keys()],
    yearStart: year("#cs-year-start"),
    yearEnd: year("#cs-year-end"),
    country: $("#cs-country").value.trim().toUpperCase() || null,
    sources: $("#cs-source-url").value.trim() || $("#cs-source-title").value.trim()
      ? [{ url: $("#cs-source-url").value.trim(), title: $("#cs-source-title").value.trim() }] : [],
  };
  if (!input.title.en && !input.title.fr) input.title = null;
  if (!input.summary.en && !input.summary.fr) input.summary = null;
  return input;
}

// An error's field as the form names it: "input.yearEnd" and "year_end" are "yearEnd";
// "sources.0.url" and "input.sources[0].url" are "sources.url" (and else "sources").
function fieldNames(field) {
  const path = String(field || "").replace(/^input\./, "").replace(/\[\d+\]|\.\d+(?=\.|$)/g, "");
  const camel = path.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return [camel, camel.split(".")[0]];
}

function clearErrors() {
  document.querySelectorAll("#case-form .field-error.inline").forEach((e) => e.remove());
  document.querySelectorAll("#case-form [aria-invalid]").forEach((e) => { e.removeAttribute("aria-invalid"); e.removeAttribute("aria-describedby"); });
  $("#case-general").hidden = true;
}

// The API's message is English; a French page says it in French, by the error's code and field.
const say = (error, field) => (language() === "en" ? error.message : errorText(error, field));

// Every error at once, each next to its field (several on one field are all listed there); a
// rule between two fields (an end year before the start year) marks both, its words by the first.
function boxesOf(field) {
  return fieldNames(field)
    .map((name) => document.querySelectorAll(`#case-form .field[data-field~="${CSS.escape(name)}"]`))
    .find((found) => found.length);
}

function showErrors(errors) {
  clearErrors();
  const general = [];
  errors.forEach((error, i) => {
    const names = fieldNames(error.field);
    const boxes = boxesOf(error.field);
    if (!boxes) { general.push(say(error, names[0])); return; }
    const id = `cs-error-${i}`;
    boxes[0].append(h("p", { class: "field-error inline", id, "data-code": error.code, "data-field": error.field || "" }, say(error, names[0])));
    const others = (error.fields || []).filter((f) => f !== error.field).map(boxesOf).filter(Boolean);
    for (const box of [...boxes, ...others.flatMap((b) => [...b])]) {
      box.querySelectorAll("input, select, textarea").forEach((control) => {
        control.setAttribute("aria-invalid", "true");
        const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x.startsWith("cs-error-"));
        control.setAttribute("aria-describedby", [...described, id].join(" "));
      });
    }
  });
  $("#case-form [aria-invalid=true]")?.focus(); // the first field in error, in the form's order
  $("#case-general").hidden = !general.length;
  $("#case-general").textContent = general.join(" ");
}

function showEditing() {
  const cs = state.caseStudy;
  $("#case-editing").textContent = cs ? t("hubs.editing", { slug: cs.slug, version: cs.version, state: value(cs.reviewState) }) : "";
}

async function saveCase(submit) {
  const input = caseInput();
  const cs = state.caseStudy;
  const key = idempotencyKey();
  const data = cs
    ? (await request(ops.UpdateCaseStudy, { id: cs.id, version: cs.version, input, submit, key })).updateCaseStudy
    : (await request(ops.SubmitCaseStudy, { input, draft: !submit, key })).submitCaseStudy;
  if (data.errors.length) { showErrors(data.errors); $("#case-saved").textContent = ""; return; }
  clearErrors();
  state.caseStudy = data.useCase;
  await loadCaseStudies(); // the lists show the new state before the form says it is saved
  $("#case-saved").textContent = t("hubs.saved", { state: value(data.useCase.reviewState) });
  showEditing();
}

function editCase(uc) {
  state.caseStudy = uc;
  $("#cs-slug").value = uc.slug;
  $("#cs-title-en").value = uc.titleI18n.en || "";
  $("#cs-title-fr").value = uc.titleI18n.fr || "";
  $("#cs-summary-en").value = uc.summaryI18n.en || "";
  $("#cs-summary-fr").value = uc.summaryI18n.fr || "";
  $("#cs-status").value = uc.status;
  $("#cs-governance").value = uc.governance;
  for (const o of $("#cs-data-categories").options) o.selected = uc.dataCategories.includes(o.value);
  for (const o of $("#cs-domains").options) o.selected = uc.domains.nodes.some((d) => d.slug === o.value);
  state.territories = new Map(uc.territories.nodes.map((x) => [x.slug, `${x.name} (${x.country})`]));
  showTerritories();
  $("#cs-year-start").value = uc.yearStart ?? "";
  $("#cs-year-end").value = uc.yearEnd ?? "";
  $("#cs-country").value = uc.country ?? "";
  $("#cs-source-url").value = uc.sources[0]?.url ?? "";
  $("#cs-source-title").value = uc.sources[0]?.title ?? "";
  clearErrors();
  showEditing();
  $("#cs-slug").focus();
}

// The case study's territories, each with a button that takes it off the list.
function showTerritories() {
  $("#cs-territories-chosen").replaceChildren(...[...state.territories].map(([slug, name]) => h("li", { "data-value": slug }, name, " ",
    h("button", { type: "button", class: "remove", "aria-label": t("combo.remove", { name }), onclick: () => {
      state.territories.delete(slug);
      showTerritories();
      $("#cs-territories").focus();
    } }, "×"))));
}

async function review(uc, publish, reason, card) {
  const key = idempotencyKey();
  const data = publish
    ? (await request(ops.PublishCaseStudy, { id: uc.id, version: uc.version, key })).publishCaseStudy
    : (await request(ops.RejectCaseStudy, { id: uc.id, version: uc.version, reason, key })).rejectCaseStudy;
  const onReason = data.errors.filter((e) => e.field === "reason");
  const box = card.querySelector(".field-error");
  box.hidden = !onReason.length;
  box.textContent = onReason.map((e) => say(e, "reason")).join(" ");
  card.querySelector("textarea").toggleAttribute("aria-invalid", onReason.length > 0);
  const other = data.errors.filter((e) => e.field !== "reason");
  if (other.length) throw new Error(other.map((e) => say(e, fieldNames(e.field)[0])).join(" "));
  if (!data.errors.length) {
    if (publish) forget(uc); else remember({ ...uc, version: data.useCase.version }, true); // what this coordinator decided on
    await loadCaseStudies();
  }
}

function reviewCard(uc) {
  const reasonId = `reason-${uc.slug}`;
  const reason = h("textarea", { id: reasonId, rows: "2", "aria-describedby": `${reasonId}-error` });
  const changed = changeList(uc); // before remember(): the copy last seen, if any
  remember(uc);
  const card = h("li", { "data-slug": uc.slug, "data-version": uc.version },
    h("strong", {}, uc.title || uc.slug), ` (${uc.hub || "—"}) · `, h("span", { class: "state" }, value(uc.reviewState)),
    ` · v${uc.version}`,
    changed,
    factList(uc),
    h("p", {}, colon(t("review.sources")), ...uc.sources.flatMap((s, i) => [i ? ", " : "", h("a", { href: s.url }, s.title)])),
    h("p", {}, h("button", { type: "button", class: "publish", onclick: () => run(() => review(uc, true, null, card)) }, t("hubs.publish"))),
    h("label", { for: reasonId }, t("hubs.reason", { title: uc.title || uc.slug })), h("br"), reason,
    h("p", { class: "field-error", id: `${reasonId}-error`, role: "alert", hidden: true }),
    h("p", {}, h("button", { type: "button", class: "reject", onclick: () => run(() => review(uc, false, reason.value, card)) }, t("hubs.reject"))),
  );
  return card;
}

function mineCard(uc) {
  return h("li", { "data-slug": uc.slug },
    h("strong", {}, uc.title || uc.slug), ` (${uc.hub}) · `, h("span", { class: "state" }, value(uc.reviewState)),
    uc.reviewNote ? h("p", { class: "note" }, `${colon(t("hubs.note"))}${uc.reviewNote}`) : null,
    uc.reviewState === "PUBLISHED" ? null : h("button", { type: "button", class: "edit", onclick: () => editCase(uc) }, t("hubs.edit")),
  );
}

// Case studies shown in progress, followed by ID once they leave those states (a hub sees its own
// published): kept for the tab's session.
const FOLLOWED = "registry-explorer-followed";
const followed = () => new Set(JSON.parse(sessionStorage.getItem(FOLLOWED) || "[]"));

async function loadCaseStudies() {
  const current = ask("caseStudies");
  if (!savedKey()) { // without a key there is nothing in review to read
    $("#review-list").replaceChildren(h("li", {}, t("hubs.noneToReview")));
    $("#mine-list").replaceChildren();
    return;
  }
  const { useCases } = await request(ops.CaseStudies, { lang: apiLanguage(), states: ["SUBMITTED", "DRAFT", "REJECTED"] });
  const open = useCases.nodes;
  const ids = new Set(open.map((uc) => uc.id));
  const left = [...followed()].filter((id) => !ids.has(id)).slice(0, 100);
  const later = left.length ? (await request(ops.CaseStudiesById, { ids: left, lang: apiLanguage() })).nodes.filter((n) => n && n.id) : [];
  if (!current()) return;
  sessionStorage.setItem(FOLLOWED, JSON.stringify([...new Set([...open.map((uc) => uc.id), ...later.map((uc) => uc.id)])]));
  const all = [...open, ...later];
  const submitted = open.filter((uc) => uc.reviewState === "SUBMITTED");
  const more = useCases.totalCount > open.length ? [h("li", { class: "muted" }, t("hubs.more", { n: number(useCases.totalCount - open.length) }))] : [];
  $("#review-list").replaceChildren(...(submitted.length ? submitted.map(reviewCard) : [h("li", {}, t("hubs.noneToReview"))]), ...more);
  $("#mine-list").replaceChildren(...all.filter((uc) => uc.hub).map(mineCard));
  const cs = state.caseStudy && all.find((uc) => uc.id === state.caseStudy.id);
  if (cs) { state.caseStudy = cs; showEditing(); }
}

function startLive() {
  if (state.stopLive) state.stopLive();
  state.stopLive = null;
  if (!savedKey()) { $("#live-state").textContent = t("hubs.live.off"); return; }
  const refresh = () => run(loadCaseStudies);
  state.stopLive = watch(ops.CaseStudyChanged, savedKey(), refresh, (mode) => {
    $("#live-state").dataset.mode = mode;
    $("#live-state").textContent = t(`hubs.live.${mode}`);
  });
}

function showKeyState() {
  $("#key-state").textContent = savedKey() ? t("hubs.keySaved") : t("hubs.noKey");
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
  onNetworkError(showError);
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
    state.territories.set(e.detail.value, e.detail.label);
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
  $("#case-form").addEventListener("submit", (e) => { e.preventDefault(); run(() => saveCase(true)); });
  $("#cs-draft").addEventListener("click", () => run(() => saveCase(false)));
  $("#cs-new").addEventListener("click", () => {
    state.caseStudy = null;
    $("#case-form").reset();
    state.territories.clear();
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
