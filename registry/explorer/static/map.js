// The map: territories at their coordinates, sized by their published use cases, on Natural Earth
// countries (vendor/, drawn with d3-geo: nothing is fetched from elsewhere). The first view frames
// the programme's own cities; choosing a territory draws its partner cities as arcs weighted by
// score and opens its panel. Wheel, drag and the +/− buttons zoom and pan.
import { placeLabels } from "./graph.js";
import { number } from "./format.js";
import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 900, HEIGHT = 560;
let world = null; // the countries, read once from vendor/

function el(name, attributes = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
}

async function countries() {
  if (!world) {
    const topology = await (await fetch(new URL("vendor/countries-50m.json", document.baseURI))).json();
    world = globalThis.topojson.feature(topology, topology.objects.countries);
  }
  return world;
}

// The extent of these places, widened a little so no city sits on the edge.
function frame(places) {
  const lons = places.map((p) => p.longitude), lats = places.map((p) => p.latitude);
  const pad = 3;
  const [w, e, s, n] = [Math.min(...lons) - pad, Math.max(...lons) + pad, Math.min(...lats) - pad, Math.max(...lats) + pad];
  return { type: "Polygon", coordinates: [[[w, s], [w, n], [e, n], [e, s], [w, s]]] };
}

export const radius = (count) => 4 + 3 * Math.sqrt(count || 0);

// places: [{id, slug, name, latitude, longitude, count, programme}]; arcs: [{from, to, score}] by id.
// Returns {zoomIn, zoomOut, reset, showArcs(from, arcs)}.
export async function drawMap(svg, places, { onSelect, onArc }) {
  const d3 = globalThis.d3;
  const land = await countries();
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const programme = places.filter((p) => p.programme);
  const first = frame(programme.length ? programme : places.length ? places : [{ longitude: 0, latitude: 45 }]);
  const projection = d3.geoMercator().fitExtent([[20, 20], [WIDTH - 20, HEIGHT - 20]], first);
  const path = d3.geoPath(projection);
  const start = { scale: projection.scale(), translate: projection.translate() };
  const base = el("g", { class: "countries", "aria-hidden": "true" });
  const shapes = land.features.map((f) => { const p = el("path", { class: "country" }); base.append(p); return [p, f]; });
  const arcsLayer = el("g", { class: "arcs" });
  const dots = el("g", { class: "places" });
  svg.append(el("rect", { class: "sea", x: 0, y: 0, width: WIDTH, height: HEIGHT }), base, arcsLayer, dots);
  const byId = new Map(places.map((p) => [p.id, p]));
  const marks = [...places].sort((a, b) => b.count - a.count).map((p) => { // small circles on top of big ones
    const group = el("g", { class: `place${p.programme ? " programme" : ""}`, tabindex: "0", role: "button",
      "data-id": p.id, "data-slug": p.slug, "data-count": p.count,
      "aria-label": `${p.name}: ${t("map.useCases", { n: number(p.count) })}` });
    const circle = el("circle", { r: radius(p.count) });
    const text = el("text", {});
    text.textContent = p.name;
    const title = el("title", {});
    title.textContent = `${p.name} — ${t("map.useCases", { n: number(p.count) })}`;
    group.append(circle, text, title);
    const choose = () => onSelect(p, group);
    group.addEventListener("click", choose);
    group.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } });
    dots.append(group);
    return { p, group, circle, text };
  });
  let arcs = [];
  const render = () => {
    for (const [shape, feature] of shapes) shape.setAttribute("d", path(feature) || "");
    const items = [];
    for (const m of marks) {
      const [x, y] = projection([m.p.longitude, m.p.latitude]);
      m.circle.setAttribute("cx", x);
      m.circle.setAttribute("cy", y);
      m.x = x; m.y = y;
      const inside = x > -20 && x < WIDTH + 20 && y > -20 && y < HEIGHT + 20;
      m.group.classList.toggle("outside", !inside);
      if (inside) items.push({ x, y, kind: m.p.programme ? "Territory" : "UseCase", text: m.p.name, element: m.text });
      else m.text.classList.add("crowded");
    }
    placeLabels(items, 1);
    for (const item of items) {
      item.element.setAttribute("x", item.spot.tx);
      item.element.setAttribute("y", item.spot.ty);
      item.element.setAttribute("text-anchor", item.spot.anchor);
      item.element.classList.toggle("crowded", item.hidden);
    }
    drawArcs();
  };
  const drawArcs = () => {
    arcsLayer.replaceChildren();
    const top = Math.max(...arcs.map((a) => a.score), 1);
    for (const arc of arcs) {
      const a = byId.get(arc.from), b = byId.get(arc.to);
      if (!a || !b) continue;
      const [x1, y1] = projection([a.longitude, a.latitude]), [x2, y2] = projection([b.longitude, b.latitude]);
      const [mx, my] = [(x1 + x2) / 2, (y1 + y2) / 2];
      const bend = 0.2; // a bow, perpendicular to the chord: arcs to cities on one line stay apart
      const [cx, cy] = [mx - (y2 - y1) * bend, my + (x2 - x1) * bend];
      const line = el("path", { class: "arc", d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`, "data-to": b.slug,
        "data-score": arc.score, "stroke-width": 1 + (5 * arc.score) / top, tabindex: "0", role: "button",
        "aria-label": t("map.arc", { from: a.name, to: b.name, score: number(arc.score) }) });
      const title = el("title", {});
      title.textContent = line.getAttribute("aria-label");
      line.append(title);
      line.addEventListener("click", () => onArc(b, line));
      line.addEventListener("keydown", (e) => { if (e.key === "Enter") onArc(b, line); });
      arcsLayer.append(line);
    }
  };
  const zoomBy = (factor, cx = WIDTH / 2, cy = HEIGHT / 2) => {
    const [tx, ty] = projection.translate();
    const k = Math.min(64 * start.scale, Math.max(start.scale / 8, projection.scale() * factor)) / projection.scale();
    projection.scale(projection.scale() * k).translate([cx - (cx - tx) * k, cy - (cy - ty) * k]);
    render();
  };
  const toView = (event) => {
    const box = svg.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * WIDTH, ((event.clientY - box.top) / box.height) * HEIGHT];
  };
  svg.onwheel = (event) => { event.preventDefault(); const [x, y] = toView(event); zoomBy(event.deltaY < 0 ? 1.25 : 0.8, x, y); };
  let drag = null;
  svg.onpointerdown = (event) => {
    if (event.target.closest(".place, .arc")) return;
    drag = { at: toView(event), translate: projection.translate() };
    svg.setPointerCapture(event.pointerId);
  };
  svg.onpointermove = (event) => {
    if (!drag) return;
    const [x, y] = toView(event);
    projection.translate([drag.translate[0] + x - drag.at[0], drag.translate[1] + y - drag.at[1]]);
    render();
  };
  svg.onpointerup = () => { drag = null; };
  render();
  return {
    zoomIn: () => zoomBy(1.5),
    zoomOut: () => zoomBy(1 / 1.5),
    reset: () => { projection.scale(start.scale).translate(start.translate); render(); },
    world: () => { projection.fitExtent([[10, 10], [WIDTH - 10, HEIGHT - 10]], land); render(); },
    showArcs: (from, partners) => {
      arcs = partners.map((m) => ({ from, to: m.id, score: m.score }));
      svg.querySelectorAll(".place.chosen").forEach((n) => n.classList.remove("chosen"));
      svg.querySelector(`.place[data-id="${CSS.escape(from)}"]`)?.classList.add("chosen");
      drawArcs();
    },
  };
}
