// The hubs view: the case-study form (every error next to its field, in the page's language) and
// the review queue (the whole case study, and what changed since the version last seen).
import * as ops from "./operations.js";
import { idempotencyKey, request, savedKey } from "./api.js";
import { $, ask, h } from "./dom.js";
import { colon, number } from "./format.js";
import { errorText, language, t, value } from "./i18n.js";
import { watch } from "./live.js";
import { changeList, factList } from "./review.js";

const apiLanguage = () => language().toUpperCase();
// territories: slug -> name, picked one by one; listed: the case studies the lists show (editable ones among them)
export const hub = { caseStudy: null, stopLive: null, territories: new Map(), listed: [] };
let run = async (work) => work();
export function onHubsError(runner) { run = runner; } // the page's way to run a task and show its error

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
    territories: [...hub.territories.keys()],
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

export function clearErrors() {
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

export function showEditing() {
  const cs = hub.caseStudy;
  $("#case-editing").textContent = cs ? t("hubs.editing", { slug: cs.slug, version: cs.version, state: value(cs.reviewState) }) : "";
}

export async function saveCase(submit) {
  const input = caseInput();
  const cs = hub.caseStudy;
  const key = idempotencyKey();
  const data = cs
    ? (await request(ops.UpdateCaseStudy, { id: cs.id, version: cs.version, input, submit, key })).updateCaseStudy
    : (await request(ops.SubmitCaseStudy, { input, draft: !submit, key })).submitCaseStudy;
  if (data.errors.length) { showErrors(data.errors); $("#case-saved").textContent = ""; return; }
  clearErrors();
  hub.caseStudy = data.useCase;
  await loadCaseStudies(); // the lists show the new state before the form says it is saved
  $("#case-saved").textContent = t("hubs.saved", { state: value(data.useCase.reviewState) });
  showEditing();
}

function editCase(uc) {
  hub.caseStudy = uc;
  $("#cs-slug").value = uc.slug;
  $("#cs-title-en").value = uc.titleI18n.en || "";
  $("#cs-title-fr").value = uc.titleI18n.fr || "";
  $("#cs-summary-en").value = uc.summaryI18n.en || "";
  $("#cs-summary-fr").value = uc.summaryI18n.fr || "";
  $("#cs-status").value = uc.status;
  $("#cs-governance").value = uc.governance;
  for (const o of $("#cs-data-categories").options) o.selected = uc.dataCategories.includes(o.value);
  for (const o of $("#cs-domains").options) o.selected = uc.domains.nodes.some((d) => d.slug === o.value);
  hub.territories = new Map(uc.territories.nodes.map((x) => [x.slug, `${x.name} (${x.country})`]));
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

// "What is missing" in a case study's panel: the form with that case study when the caller may edit it
// (its hub or a coordinator, before publication: it is among the lists), else the empty form.
export function completeCase(slug) {
  const uc = hub.listed.find((x) => x.slug === slug && x.reviewState !== "PUBLISHED");
  if (uc) { editCase(uc); return true; }
  $("#cs-new").click();
  $("#cs-slug").focus();
  return false;
}

// The case study's territories, each with a button that takes it off the list.
export function showTerritories() {
  $("#cs-territories-chosen").replaceChildren(...[...hub.territories].map(([slug, name]) => h("li", { "data-value": slug }, name, " ",
    h("button", { type: "button", class: "remove", "aria-label": t("combo.remove", { name }), onclick: () => {
      hub.territories.delete(slug);
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
    await loadCaseStudies();
  }
}

function reviewCard(uc) {
  const reasonId = `reason-${uc.slug}`;
  const reason = h("textarea", { id: reasonId, rows: "2", "aria-describedby": `${reasonId}-error` });
  const changed = changeList(uc);
  const card = h("li", { "data-slug": uc.slug, "data-version": uc.version },
    h("strong", {}, uc.title || uc.slug), ` (${uc.contributor?.name || uc.hub || "—"}) · `, h("span", { class: "state" }, value(uc.reviewState)),
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

export async function loadCaseStudies() {
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
  hub.listed = all;
  const submitted = open.filter((uc) => uc.reviewState === "SUBMITTED");
  const more = useCases.totalCount > open.length ? [h("li", { class: "muted" }, t("hubs.more", { n: number(useCases.totalCount - open.length) }))] : [];
  $("#review-list").replaceChildren(...(submitted.length ? submitted.map(reviewCard) : [h("li", {}, t("hubs.noneToReview"))]), ...more);
  $("#mine-list").replaceChildren(...all.filter((uc) => uc.hub).map(mineCard));
  const cs = hub.caseStudy && all.find((uc) => uc.id === hub.caseStudy.id);
  if (cs) { hub.caseStudy = cs; showEditing(); }
}

export function startLive() {
  if (hub.stopLive) hub.stopLive();
  hub.stopLive = null;
  if (!savedKey()) { $("#live-state").textContent = t("hubs.live.off"); return; }
  const refresh = () => run(loadCaseStudies);
  hub.stopLive = watch(ops.CaseStudyChanged, savedKey(), refresh, (mode) => {
    $("#live-state").dataset.mode = mode;
    $("#live-state").textContent = t(`hubs.live.${mode}`);
  });
}

export function showKeyState() {
  $("#key-state").textContent = savedKey() ? t("hubs.keySaved") : t("hubs.noKey");
}

