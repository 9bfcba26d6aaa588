// The map view: every territory with coordinates, sized by its use cases, the programme's own
// cities framed first; choosing one draws its partner cities as arcs and opens its panel.
import * as ops from "./operations.js";
import { request } from "./api.js";
import { $, ask, h } from "./dom.js";
import { number } from "./format.js";
import { drawMap } from "./map.js";
import { language, t, value } from "./i18n.js";
import { openRecord } from "./panel.js";

const apiLanguage = () => language().toUpperCase();
const WORLD = { south: -90, west: -180, north: 90, east: 180 }; // "within" the world: those with coordinates
const PAGES = 20; // 2,000 places at most: the map stays a picture, not a dump of the registry
const PROGRAMME = new Set(["PILOT_CITY", "ROADMAP_PARTICIPANT", "FIRST_WORKSHOP_DONE", "IN_DISCUSSION"]);
const view = { map: null, places: [], chosen: null };

function mapFilter() {
  const filter = { within: WORLD };
  if ($("#map-status").value) filter.statuses = [$("#map-status").value];
  if ($("#map-country").value) filter.countries = [$("#map-country").value];
  return filter;
}

// Each filter's choices say how many territories on the map they would keep, the other filter kept.
async function facetCounts(filter, current) {
  const without = (key) => Object.fromEntries(Object.entries(filter).filter(([k]) => k !== key));
  const [byStatus, byCountry] = await Promise.all([
    request(ops.MapFacets, { filter: without("statuses") }), request(ops.MapFacets, { filter: without("countries") })]);
  if (!current()) return;
  choices($("#map-status"), byStatus.territories.facets.statuses, (k) => value(k));
  choices($("#map-country"), byCountry.territories.facets.countries, (k) => k);
}

function choices(select, counts, word) {
  const chosen = select.value;
  // the "unknown" bucket is no value a filter takes: the choices are the known values
  select.replaceChildren(h("option", { value: "" }, t("any")), ...counts.filter((c) => c.key !== "unknown")
    .map((c) => h("option", { value: c.key, "data-count": c.count }, `${word(c.key)} (${number(c.count)})`)));
  select.value = chosen;
}

async function places(current) {
  const found = [];
  const filter = mapFilter();
  const counted = facetCounts(filter, current);
  let after = null;
  for (let page = 0; page < PAGES; page++) {
    const { territories } = await request(ops.MapTerritories, { filter, after, lang: apiLanguage() });
    if (!current()) return null;
    found.push(...territories.nodes);
    if (!territories.pageInfo.hasNextPage) break;
    after = territories.pageInfo.endCursor;
  }
  await counted;
  return found.map((x) => ({ id: x.id, slug: x.slug, name: x.name, country: x.country, ...x.coordinates,
    count: x.useCases.totalCount, programme: PROGRAMME.has(x.programmeStatus) }));
}

export async function loadMap() {
  const current = ask("map");
  const found = await places(current);
  if (!found) return;
  view.places = found;
  view.map = await drawMap($("#map"), found, {
    onSelect: (place, element) => choose(place, element),
    onArc: (place, element) => openRecord(place.id, element),
  });
  $("#map-count").textContent = t("map.count", { n: number(found.length), programme: number(found.filter((p) => p.programme).length) });
  if (view.chosen && found.some((p) => p.id === view.chosen.id)) await choose(view.chosen, null);
}

// A territory's partner cities as arcs, the thicker the higher the score; its panel opens beside.
async function choose(place, element) {
  view.chosen = place;
  const current = ask("map-partners");
  const opened = openRecord(place.id, element);
  const { partnerCities } = await request(ops.PartnerCities, { territory: place.id, first: 10, lang: apiLanguage() });
  if (!current()) return;
  const drawn = partnerCities.filter((m) => view.places.some((p) => p.id === m.territory.id));
  view.map.showArcs(place.id, drawn.map((m) => ({ id: m.territory.id, score: m.score })));
  $("#map-chosen").textContent = t("map.partners", { name: place.name, n: number(drawn.length), all: number(partnerCities.length) });
  await opened;
}

export const mapZoom = (how) => view.map && view.map[how]();
