// The explorer: five views over the public GraphQL API (operations.js), in French and English.
import * as ops from "./operations.js";
import { idempotencyKey, request, saveKey, savedKey } from "./api.js";
import { combobox } from "./combobox.js";
import { draw } from "./graph.js";
import { GOVERNANCE, STATUSES, language, setLanguage, t, translate, value } from "./i18n.js";
import { watch } from "./live.js";

const $ = (selector) => document.querySelector(selector);
const apiLanguage = () => language().toUpperCase(); // the API's Language enum: EN, FR
const VIEWS = ["network", "partners", "experiments", "path", "hubs"];
const PAGE = 15; // use cases drawn at first, and added by "show more": large networks stay readable
const ACTOR_KINDS = [
  "LOCAL_AUTHORITY", "NATIONAL_BODY", "INSURER", "ENERGY_SUPPLIER", "ENERGY_GRID_OPERATOR", "TELECOM_OPERATOR", "BANK",
  "RETAILER", "MOBILITY_OPERATOR", "WATER_UTILITY", "WASTE_SERVICE", "PERSONAL_CLOUD_OPERATOR", "THINK_TANK",
  "NETWORK_OR_HUB", "NGO", "RESEARCH", "COOPERATIVE", "DEVELOPER", "FUNDER", "COMPANY",
];

const state = {
  view: "network", catalogue: null, shown: PAGE, network: null, caseStudy: null, stopLive: null,
  territories: new Map(), // the case study's territories: slug -> name, picked one by one
};

function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

// Answers can come back out of order (a first load, then the user's pick): only the latest is shown.
const asked = {};
function ask(view) {
  const ticket = (asked[view] = (asked[view] || 0) + 1);
  return () => asked[view] === ticket;
}

function showError(error) {
  const box = $("#error");
  box.hidden = !error;
  box.textContent = error ? `${t("error.general")}: ${error.message || error}` : "";
}

async function run(work) {
  try {
    showError(null);
    await work();
  } catch (error) {
    showError(error);
  }
}

function options(select, items, { any = false, keep = true } = {}) {
  const previous = [...select.selectedOptions].map((o) => o.value);
  select.replaceChildren(...(any ? [h("option", { value: "" }, t("any"))] : []),
    ...items.map(([v, text]) => h("option", { value: v }, text)));
  if (keep) for (const o of select.options) o.selected = previous.includes(o.value);
}

// -- the pickers: territories, priorities and records found as the user types, so any network size works
const CITIES = ["CITY", "METROPOLIS", "AGGLOMERATION", "REGION"]; // partner cities: not countries
const territories = (kinds) => async (text) =>
  (await request(ops.TerritoryChoices, { text: text || null, kinds, lang: apiLanguage() }))
    .territories.nodes.map((x) => ({ value: x.slug, label: `${x.name} (${x.country})` }));

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
  return search.nodes.filter((n) => n.slug).map((n) => ({ value: n.id, label: `${n.label} (${t(`one.${n.__typename}`)})` }));
}

// -- the catalogue: names of territories, domains, organisations and priorities ----------------
async function loadCatalogue() {
  state.catalogue = await request(ops.Catalogue, { lang: apiLanguage() });
  const c = state.catalogue;
  options($("#filter-domain"), c.domains.nodes.map((d) => [d.slug, d.name]), { any: true });
  const countries = [...new Set(c.territories.nodes.map((x) => x.country))].sort();
  options($("#filter-country"), countries.map((code) => [code, code]), { any: true });
  options($("#filter-kind"), ACTOR_KINDS.map((k) => [k, value(k)]), { any: true });
  options($("#cs-domains"), c.domains.nodes.map((d) => [d.slug, d.name]));
  options($("#cs-status"), STATUSES.map((s) => [s, value(s)]));
  options($("#cs-governance"), GOVERNANCE.map((g) => [g, value(g)]));
}

const FACTS = [
  ["territoryKind", "fact.kind"], ["actorKind", "fact.kind"], ["country", "filter.country"], ["actorCountry", "filter.country"],
  ["programmeStatus", "fact.programmeStatus"], ["useCaseStatus", "experiments.status"], ["priorityStatus", "experiments.status"],
  ["experimentStatus", "experiments.status"], ["governance", "field.governance"], ["yearStart", "field.yearStart"],
  ["yearEnd", "field.yearEnd"], ["reviewState", "fact.reviewState"],
];

// -- a record, with its sources -------------------------------------------------------------------
async function showRecord(id, into = $("#record-body")) {
  const current = ask(into.id);
  const { node } = await request(ops.Record, { id, lang: apiLanguage() });
  if (!node || !current()) return;
  const facts = [];
  for (const [key, word] of FACTS) {
    if (node[key] !== undefined && node[key] !== null) facts.push(h("li", { "data-fact": key }, `${t(word)}: ${key.toLowerCase().includes("country") || key.startsWith("year") ? node[key] : value(node[key])}`));
  }
  if (node.website) facts.push(h("li", {}, h("a", { href: node.website }, node.website)));
  const sources = node.sources.length
    ? h("ul", { class: "sources" }, node.sources.map((s) => h("li", {}, h("a", { href: s.url }, s.title))))
    : h("p", {}, t("record.noSources"));
  into.replaceChildren(
    h("h4", { class: "record-label" }, node.label),
    h("p", { class: "muted" }, `${t(`one.${node.__typename}`)} · ${node.slug}`),
    node.summary ? h("p", {}, node.summary) : null,
    h("ul", {}, facts),
    h("h5", {}, t("record.sources")),
    sources,
  );
  document.querySelectorAll("svg .node.selected").forEach((n) => n.classList.remove("selected"));
  document.querySelector(`svg .node[data-id="${CSS.escape(id)}"]`)?.classList.add("selected");
}

// -- network view ------------------------------------------------------------------------------
async function loadNetwork() {
  const filter = {};
  if ($("#filter-domain").value) filter.domains = [$("#filter-domain").value];
  if ($("#filter-country").value) filter.countries = [$("#filter-country").value];
  if ($("#filter-kind").value) filter.actorKinds = [$("#filter-kind").value];
  const current = ask("network");
  const network = (await request(ops.NetworkUseCases, { filter, lang: apiLanguage() })).useCases;
  if (!current()) return;
  state.network = network;
  drawNetwork();
}

function drawNetwork() {
  const kind = $("#filter-kind").value;
  const cases = state.network.nodes.slice(0, state.shown);
  const nodes = new Map();
  const links = [];
  const add = (id, label, nodeKind) => nodes.set(id, { id, label, kind: nodeKind, kindLabel: t(`legend.${nodeKind === "UseCase" ? "useCase" : nodeKind.toLowerCase()}`) });
  for (const uc of cases) {
    add(uc.id, uc.title || uc.slug, "UseCase");
    for (const place of uc.territories.nodes) { add(place.id, place.name, "Territory"); links.push([uc.id, place.id]); }
    for (const actor of uc.actors.nodes) {
      if (kind && actor.kind !== kind) continue;
      add(actor.id, actor.name, "Actor");
      links.push([uc.id, actor.id]);
    }
  }
  // organisations working on the territories shown, as the registry links them
  for (const actor of state.catalogue.actors.nodes) {
    if (!nodes.has(actor.id)) continue;
    for (const place of actor.territories.nodes) if (nodes.has(place.id)) links.push([actor.id, place.id]);
  }
  draw($("#network"), [...nodes.values()], links, (id) => run(() => showRecord(id)));
  $("#network-count").textContent = t("network.shown", { shown: cases.length, total: state.network.totalCount });
  $("#network-more").hidden = cases.length >= state.network.nodes.length;
}

// -- partner finder -------------------------------------------------------------------------------
const list = (items) => (items.length ? h("ul", {}, items.map((x) => h("li", {}, x))) : "—");

async function loadPartners() {
  const territory = $("#partners-territory").dataset.value;
  if (!territory) return;
  const current = ask("partners");
  const { partnerCities } = await request(ops.PartnerCities, { territory, lang: apiLanguage() });
  if (!current()) return;
  const domainName = new Map(state.catalogue.domains.nodes.map((d) => [d.slug, d.name]));
  const actorName = new Map(state.catalogue.actors.nodes.map((a) => [a.slug, a.name]));
  const of = (match, kinds, key, names) =>
    [...new Set(match.reasons.filter((r) => kinds.includes(r.kind)).flatMap((r) => r[key]))].map((s) => names.get(s) || s);
  $("#partners-table tbody").replaceChildren(...partnerCities.map((m) => h("tr", { "data-slug": m.territory.slug },
    h("th", { scope: "row" }, h("a", { href: "#", onclick: (e) => { e.preventDefault(); run(() => showRecord(m.territory.id, partnerRecord())); } }, m.territory.name)),
    h("td", {}, String(m.score)),
    h("td", { class: "reasons" }, list(m.reasons.map((r) => r.label))),
    h("td", {}, list(of(m, ["SHARED_PRIORITY_DOMAIN", "PRIORITY_IN_THEIR_USE_CASES", "SHARED_USE_CASE_DOMAIN"], "domains", domainName))),
    h("td", {}, list(of(m, ["SHARED_PARTNER"], "actors", actorName))),
    h("td", {}, list(of(m, ["SHARED_PLATFORM"], "actors", actorName))),
  )));
}

function partnerRecord() {
  let aside = $("#partners-record");
  if (!aside) { aside = h("aside", { id: "partners-record", "aria-live": "polite" }); $("#view-partners").append(aside); }
  return aside;
}

// -- experiment finder ---------------------------------------------------------------------------
async function loadExperiments() {
  const priority = $("#experiments-priority").dataset.value;
  if (!priority) return;
  const current = ask("experiments");
  const { candidateExperiments } = await request(ops.CandidateExperiments, { priority, lang: apiLanguage() });
  if (!current()) return;
  $("#experiments-list").replaceChildren(...candidateExperiments.map((c) => h("li", { "data-slug": c.useCase.slug },
    h("a", { href: "#", class: "open-record", onclick: (e) => { e.preventDefault(); run(() => showRecord(c.useCase.id, $("#experiments-record"))); } },
      c.useCase.title || c.useCase.slug),
    ` — ${t("experiments.status")}: `, h("span", { class: "state" }, value(c.useCase.status)),
    ` · ${c.useCase.territories.nodes.map((x) => x.name).join(", ")} · ${t("partners.score")} ${c.score}`,
    list(c.reasons.map((r) => r.label)),
    h("p", {}, t("record.sources"), ": ", ...c.useCase.sources.flatMap((s, i) => [i ? ", " : "", h("a", { href: s.url }, s.title)])),
  )));
}

// -- path ----------------------------------------------------------------------------------------
async function findPath() {
  const [from, to] = [$("#path-from").dataset.value, $("#path-to").dataset.value];
  if (!from || !to) { $("#path-result").replaceChildren(h("p", {}, t("path.pick"))); return; }
  const current = ask("path");
  const { path } = await request(ops.PathBetween, { from, to, lang: apiLanguage() });
  if (!current()) return;
  const out = $("#path-result");
  if (!path) { out.replaceChildren(h("p", {}, t("path.none"))); return; }
  out.replaceChildren(h("p", {}, t("path.length", { n: path.length })),
    h("ol", { class: "path" }, path.nodes.map((n) => h("li", {}, `${n.label} (${t(`one.${n.__typename}`)})`))));
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
    status: $("#cs-status").value,
    governance: $("#cs-governance").value,
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

function showErrors(errors) {
  clearErrors();
  const general = [];
  errors.forEach((error, i) => {
    const boxes = fieldNames(error.field)
      .map((name) => document.querySelectorAll(`#case-form .field[data-field~="${CSS.escape(name)}"]`))
      .find((found) => found.length);
    if (!boxes) { general.push(error.message); return; }
    const id = `cs-error-${i}`;
    boxes[0].append(h("p", { class: "field-error inline", id, "data-code": error.code }, error.message));
    boxes.forEach((box) => box.querySelectorAll("input, select, textarea").forEach((control) => {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", id);
    }));
    if (i === 0) boxes[0].querySelector("input, select, textarea").focus();
  });
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
  box.textContent = onReason.map((e) => e.message).join(" ");
  card.querySelector("textarea").toggleAttribute("aria-invalid", onReason.length > 0);
  const other = data.errors.filter((e) => e.field !== "reason");
  if (other.length) throw new Error(other.map((e) => e.message).join(" "));
  if (!data.errors.length) await loadCaseStudies();
}

function reviewCard(uc) {
  const reasonId = `reason-${uc.slug}`;
  const reason = h("textarea", { id: reasonId, rows: "2", "aria-describedby": `${reasonId}-error` });
  const card = h("li", { "data-slug": uc.slug },
    h("strong", {}, uc.title || uc.slug), ` (${uc.hub || "—"}) · `, h("span", { class: "state" }, value(uc.reviewState)),
    h("p", {}, ...uc.sources.flatMap((s, i) => [i ? ", " : "", h("a", { href: s.url }, s.title)])),
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
    uc.reviewNote ? h("p", { class: "note" }, `${t("hubs.note")}: ${uc.reviewNote}`) : null,
    uc.reviewState === "PUBLISHED" ? null : h("button", { type: "button", class: "edit", onclick: () => editCase(uc) }, t("hubs.edit")),
  );
}

async function loadCaseStudies() {
  const current = ask("caseStudies");
  const all = [];
  let after = null;
  do { // every page: a coordinator's list holds every case study in review
    const { useCases } = await request(ops.CaseStudies, { lang: apiLanguage(), after });
    all.push(...useCases.nodes);
    after = useCases.pageInfo.hasNextPage ? useCases.pageInfo.endCursor : null;
  } while (after);
  if (!current()) return;
  const submitted = all.filter((uc) => uc.reviewState === "SUBMITTED");
  $("#review-list").replaceChildren(...(submitted.length ? submitted.map(reviewCard) : [h("li", {}, t("hubs.noneToReview"))]));
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

// -- views, language, start -------------------------------------------------------------------------
const LOADERS = { network: loadNetwork, partners: loadPartners, experiments: loadExperiments, path: async () => {}, hubs: loadCaseStudies };

function show(view) {
  state.view = VIEWS.includes(view) ? view : "network";
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== state.view;
  document.querySelectorAll("nav button").forEach((b) => {
    if (b.dataset.view === state.view) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  });
  if (location.hash !== `#${state.view}`) history.replaceState(null, "", `#${state.view}`);
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
  for (const id of ["#filter-domain", "#filter-country", "#filter-kind"]) {
    $(id).addEventListener("change", () => { state.shown = PAGE; run(loadNetwork); });
  }
  $("#network-more").addEventListener("click", () => { state.shown += PAGE; drawNetwork(); });
  for (const [selector, search] of Object.entries(PICKERS)) combobox($(selector), search, () => t("combo.none"));
  $("#partners-territory").addEventListener("pick", () => run(loadPartners));
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
  document.body.dataset.ready = "true"; // the tests wait for this
}

start();
