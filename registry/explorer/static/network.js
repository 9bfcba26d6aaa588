// The network view: the programme's own cities' use cases first, then every other, page by page
// (any number of use cases is reachable with "show more"), drawn with their territories and
// organisations; a node or a link opens in the side panel.
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, ask } from "./dom.js";
import { draw } from "./graph.js";
import { language, t, value } from "./i18n.js";
import { openLink, openRecord } from "./panel.js";
import { number } from "./format.js";

const PAGE = 15; // use cases drawn at first, and added by "show more": large networks stay readable
const FETCH = 100; // use cases asked for at once (the API's largest page)
const apiLanguage = () => language().toUpperCase();
const net = { cases: [], seen: new Set(), total: 0, after: null, done: false, programme: null, filter: {}, shown: PAGE, zoom: null,
  presence: new Map() }; // actor id -> [{role, node: {id}}]: where it works, asked once per actor

export function networkFilter() {
  const filter = {};
  if ($("#filter-domain").value) filter.domains = [$("#filter-domain").value];
  if ($("#filter-country").value) filter.countries = [$("#filter-country").value];
  if ($("#filter-kind").value) filter.actorKinds = [$("#filter-kind").value];
  return filter;
}

function keep(nodes) {
  for (const uc of nodes) if (!net.seen.has(uc.id)) { net.seen.add(uc.id); net.cases.push(uc); }
}

// Every use case of the programme's cities (there are few), then the registry's pages in order.
async function loadProgrammeFirst(current) {
  if (!net.programme) {
    const { territories } = await request(ops.ProgrammeTerritories, {});
    net.programme = territories.nodes.map((x) => x.slug);
  }
  let after = null;
  do {
    const { useCases } = await request(ops.NetworkUseCases, {
      filter: { ...net.filter, territories: net.programme }, first: FETCH, after, lang: apiLanguage() });
    if (!current()) return false;
    keep(useCases.nodes);
    after = useCases.pageInfo.hasNextPage ? useCases.pageInfo.endCursor : null;
  } while (after);
  return true;
}

async function nextPage(current) {
  const { useCases } = await request(ops.NetworkUseCases, { filter: net.filter, first: FETCH, after: net.after, lang: apiLanguage() });
  if (!current()) return false;
  keep(useCases.nodes);
  net.total = useCases.totalCount;
  net.after = useCases.pageInfo.endCursor;
  net.done = !useCases.pageInfo.hasNextPage;
  return true;
}

// Enough use cases for `net.shown`, asking the API only for what is missing.
async function fill(current) {
  while (!net.done && net.cases.length < net.shown) if (!(await nextPage(current))) return false;
  return true;
}

// Each filter's choices say how many use cases they would show, the other filters kept.
async function facetCounts(current) {
  const without = (key) => Object.fromEntries(Object.entries(net.filter).filter(([k]) => k !== key));
  const [byDomain, byCountry] = await Promise.all([
    request(ops.NetworkFacets, { filter: without("domains") }), request(ops.NetworkFacets, { filter: without("countries") })]);
  if (!current()) return;
  label($("#filter-domain"), byDomain.useCases.facets.domains);
  label($("#filter-country"), byCountry.useCases.facets.countries);
}

function label(select, counts) {
  const count = new Map(counts.map((c) => [c.key, c.count]));
  for (const option of select.options) {
    option.dataset.name = option.dataset.name || option.textContent;
    if (option.value) {
      option.dataset.count = count.get(option.value) || 0;
      option.textContent = `${option.dataset.name} (${number(count.get(option.value) || 0)})`;
    }
  }
}

export async function loadNetwork() {
  const current = ask("network");
  Object.assign(net, { cases: [], seen: new Set(), total: 0, after: null, done: false, filter: networkFilter(), shown: PAGE });
  const counted = facetCounts(current);
  if (!(await loadProgrammeFirst(current)) || !(await nextPage(current)) || !(await fill(current))) return;
  await counted;
  if (!(await presence(current))) return;
  drawNetwork();
}

// Where the organisations about to be drawn work: 100 organisations a request, each asked once.
async function presence(current) {
  const missing = [...new Set(net.cases.slice(0, net.shown).flatMap((uc) => uc.actors.edges.map((e) => e.node.id)))]
    .filter((id) => !net.presence.has(id));
  for (let i = 0; i < missing.length; i += 100) {
    const { nodes } = await request(ops.ActorPresence, { ids: missing.slice(i, i + 100) });
    if (!current()) return false;
    for (const actor of nodes) if (actor && actor.id) net.presence.set(actor.id, actor.territories.edges);
  }
  return true;
}

export async function showMore() {
  const current = ask("network");
  net.shown += PAGE;
  if (!(await fill(current)) || !(await presence(current))) return;
  drawNetwork();
}

function kindLabel(kind) {
  return t(`legend.${kind === "UseCase" ? "useCase" : kind.toLowerCase()}`);
}

export function drawNetwork() {
  const kind = $("#filter-kind").value;
  const cases = net.cases.slice(0, net.shown);
  const nodes = new Map();
  const links = [];
  const add = (id, label, nodeKind) => nodes.set(id, { id, label, kind: nodeKind, kindLabel: kindLabel(nodeKind) });
  for (const uc of cases) {
    add(uc.id, uc.title || uc.slug, "UseCase");
    for (const place of uc.territories.nodes) {
      add(place.id, place.name, "Territory");
      links.push({ source: uc.id, target: place.id, rel: "IN_TERRITORY", role: null, stated: uc.id });
    }
    for (const edge of uc.actors.edges) {
      if (kind && edge.node.kind !== kind) continue;
      add(edge.node.id, edge.node.name, "Actor");
      links.push({ source: edge.node.id, target: uc.id, rel: "INVOLVES", role: edge.role, stated: uc.id });
    }
  }
  // organisations working on the territories shown, as the registry links them
  for (const uc of cases) {
    for (const edge of uc.actors.edges) {
      for (const presence of net.presence.get(edge.node.id) || []) {
        if (!nodes.has(edge.node.id) || !nodes.has(presence.node.id)) continue;
        if (links.some((l) => l.rel === "PRESENT_IN" && l.source === edge.node.id && l.target === presence.node.id)) continue;
        links.push({ source: edge.node.id, target: presence.node.id, rel: "PRESENT_IN", role: presence.role, stated: edge.node.id });
      }
    }
  }
  const name = (id) => nodes.get(id)?.label || "";
  const linkLabel = (l) => `${name(l.source)} — ${t(`rel.${l.rel}`)}${l.role ? ` (${value(String(l.role).toUpperCase())})` : ""} — ${name(l.target)}`;
  net.zoom = draw($("#network"), [...nodes.values()], links, {
    onSelect: (n, element) => openRecord(n.id, element).catch(report),
    onLink: (l, element) => openLink({ ...l, sourceLabel: name(l.source), targetLabel: name(l.target) }, element).catch(report),
    linkLabel,
  });
  $("#network-count").textContent = t("network.shown", { shown: number(cases.length), total: number(net.total) });
  $("#network-more").hidden = cases.length >= net.total;
}

let report = () => {};
export function onNetworkError(handler) { report = handler; }
export const zoom = (how) => net.zoom && net.zoom[how]();
