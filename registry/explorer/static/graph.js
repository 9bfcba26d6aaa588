// A small force-directed layout drawn as SVG: no library, the same picture for the same data.
// Readable at any size: labels that would overlap are hidden (shown on hover and focus) and
// come back as the user zooms in; wheel, drag and the +/− buttons zoom and pan; links are
// focusable and selectable like nodes.
const SVG = "http://www.w3.org/2000/svg";
const SHAPES = { Territory: "circle", Actor: "rect", UseCase: "diamond" };
const WIDTH = 900, HEIGHT = 560;
const FONT = 11; // px on screen, whatever the zoom
const PRIORITY = { Territory: 0, UseCase: 1, Actor: 2 }; // whose label wins a collision

// nodes: [{id, label, kind}], links: [{source, target}]; positions within width x height.
export function layout(nodes, links, width, height, rounds = 300) {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const kinds = ["Territory", "UseCase", "Actor"];
  const pos = nodes.map((n, i) => {
    // start on three rings, one per kind, so the picture never depends on randomness
    const ring = kinds.indexOf(n.kind);
    const angle = (2 * Math.PI * i) / nodes.length;
    const radius = (0.15 + 0.15 * ring) * Math.min(width, height);
    return { x: width / 2 + radius * Math.cos(angle), y: height / 2 + radius * Math.sin(angle) };
  });
  const pairs = links.map((l) => [index.get(l.source), index.get(l.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
  const ideal = Math.sqrt((width * height) / Math.max(nodes.length, 1)) * 0.75;
  for (let round = 0; round < rounds; round++) {
    const heat = ideal * 0.2 * (1 - round / rounds) + 0.5;
    const move = pos.map(() => ({ x: 0, y: 0 }));
    for (let i = 0; i < pos.length; i++) {
      for (let j = i + 1; j < pos.length; j++) {
        const dx = pos[i].x - pos[j].x || 0.01, dy = pos[i].y - pos[j].y || 0.01;
        const d2 = dx * dx + dy * dy;
        const f = (ideal * ideal) / d2;
        move[i].x += dx * f; move[i].y += dy * f;
        move[j].x -= dx * f; move[j].y -= dy * f;
      }
    }
    for (const [a, b] of pairs) {
      const dx = pos[a].x - pos[b].x, dy = pos[a].y - pos[b].y;
      const d = Math.sqrt(dx * dx + dy * dy) || 0.01;
      const f = d / ideal;
      move[a].x -= dx * f; move[a].y -= dy * f;
      move[b].x += dx * f; move[b].y += dy * f;
    }
    pos.forEach((p, i) => {
      const m = move[i];
      // gravity: separate groups stay in the picture instead of flying to its edges
      const gx = p.x - width / 2, gy = p.y - height / 2;
      const g = Math.sqrt(gx * gx + gy * gy) / ideal;
      m.x -= gx * g * 0.6; m.y -= gy * g * 0.6;
      const len = Math.sqrt(m.x * m.x + m.y * m.y) || 1;
      p.x = Math.min(width - 40, Math.max(40, p.x + (m.x / len) * Math.min(len, heat)));
      p.y = Math.min(height - 20, Math.max(20, p.y + (m.y / len) * Math.min(len, heat)));
    });
  }
  return pos;
}

function el(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
}

const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

// Greedy label placement at zoom k: each label tries right, left, above and below its node, in
// the nodes' priority order; a label that fits nowhere is hidden until hovered, focused or zoomed.
export function placeLabels(items, k) {
  const size = FONT / k, pad = 12 / k;
  const taken = items.map(({ x, y }) => ({ x: x - 9, y: y - 9, w: 18, h: 18 })); // the shapes themselves
  const placed = [];
  const order = items.map((item, i) => [PRIORITY[item.kind] ?? 3, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, i] of order) {
    const { x, y, text } = items[i];
    const w = text.length * size * 0.58, hgt = size * 1.2;
    const spots = [
      { x: x + pad, y: y - hgt / 2, w, h: hgt, anchor: "start", tx: x + pad, ty: y + size * 0.35 },
      { x: x - pad - w, y: y - hgt / 2, w, h: hgt, anchor: "end", tx: x - pad, ty: y + size * 0.35 },
      { x: x - w / 2, y: y - pad - hgt, w, h: hgt, anchor: "middle", tx: x, ty: y - pad - size * 0.25 },
      { x: x - w / 2, y: y + pad, w, h: hgt, anchor: "middle", tx: x, ty: y + pad + size * 0.9 },
    ];
    const spot = spots.find((s) => !taken.some((t, j) => j !== i && overlaps(s, t)) && !placed.some((p) => overlaps(s, p)));
    if (spot) placed.push(spot);
    items[i].spot = spot || spots[0];
    items[i].hidden = !spot;
  }
  return items;
}

// Draw into `svg`; each node and link is a focusable button: onSelect(node) / onLink(link) on click or Enter.
export function draw(svg, nodes, links, { onSelect, onLink, linkLabel }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const pos = layout(nodes, links, WIDTH, HEIGHT);
  const at = new Map(nodes.map((n, i) => [n.id, pos[i]]));
  const view = el("g", { class: "viewport" });
  svg.append(view);
  const activate = (element, action) => {
    element.addEventListener("click", action);
    element.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); action(); }
    });
  };
  for (const link of links) {
    const a = at.get(link.source), b = at.get(link.target);
    if (!a || !b) continue;
    const group = el("g", { class: `link ${link.rel}`, tabindex: "0", role: "button", "data-source": link.source,
      "data-target": link.target, "data-rel": link.rel, "aria-label": linkLabel(link) });
    group.append(el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "hit" }),
      el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "seen" }));
    const title = el("title", {});
    title.textContent = linkLabel(link);
    group.append(title);
    activate(group, () => {
      svg.querySelectorAll(".link.selected").forEach((l) => l.classList.remove("selected"));
      group.classList.add("selected");
      onLink(link, group);
    });
    view.append(group);
  }
  const items = nodes.map((n, i) => {
    const { x, y } = pos[i];
    const group = el("g", { class: `node ${n.kind}`, tabindex: "0", role: "button", "data-id": n.id, "aria-label": `${n.kindLabel}: ${n.label}` });
    const shape = SHAPES[n.kind];
    if (shape === "circle") group.append(el("circle", { cx: x, cy: y, r: 9 }));
    else if (shape === "rect") group.append(el("rect", { x: x - 7, y: y - 7, width: 14, height: 14 }));
    else group.append(el("polygon", { points: `${x},${y - 9} ${x + 9},${y} ${x},${y + 9} ${x - 9},${y}` }));
    const text = el("text", {});
    text.textContent = n.label.length > 28 ? `${n.label.slice(0, 27)}…` : n.label;
    group.append(text);
    const title = el("title", {});
    title.textContent = n.label;
    group.append(title);
    activate(group, () => onSelect(n, group));
    view.append(group);
    return { x, y, kind: n.kind, text: text.textContent, element: text };
  });
  const zoom = { k: 1, x: 0, y: 0 };
  const render = () => {
    view.setAttribute("transform", `translate(${zoom.x} ${zoom.y}) scale(${zoom.k})`);
    view.style.setProperty("--k", zoom.k);
    placeLabels(items, zoom.k);
    for (const item of items) {
      const { spot } = item;
      item.element.setAttribute("x", spot.tx);
      item.element.setAttribute("y", spot.ty);
      item.element.setAttribute("text-anchor", spot.anchor);
      item.element.setAttribute("font-size", FONT / zoom.k);
      item.element.classList.toggle("crowded", item.hidden);
    }
  };
  render();
  return zoomable(svg, zoom, render);
}

// Zoom (wheel, buttons) around a point, and pan by dragging the background.
function zoomable(svg, zoom, render) {
  const toView = (event) => {
    const box = svg.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * WIDTH, y: ((event.clientY - box.top) / box.height) * HEIGHT };
  };
  const zoomBy = (factor, cx = WIDTH / 2, cy = HEIGHT / 2) => {
    const k = Math.min(8, Math.max(0.5, zoom.k * factor));
    zoom.x = cx - ((cx - zoom.x) * k) / zoom.k;
    zoom.y = cy - ((cy - zoom.y) * k) / zoom.k;
    zoom.k = k;
    render();
  };
  svg.onwheel = (event) => {
    event.preventDefault();
    const p = toView(event);
    zoomBy(event.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
  };
  let drag = null;
  svg.onpointerdown = (event) => {
    if (event.target.closest(".node, .link")) return;
    drag = { start: toView(event), x: zoom.x, y: zoom.y };
    svg.setPointerCapture(event.pointerId);
  };
  svg.onpointermove = (event) => {
    if (!drag) return;
    const p = toView(event);
    zoom.x = drag.x + p.x - drag.start.x;
    zoom.y = drag.y + p.y - drag.start.y;
    render();
  };
  svg.onpointerup = () => { drag = null; };
  return {
    zoomIn: () => zoomBy(1.5),
    zoomOut: () => zoomBy(1 / 1.5),
    reset: () => { Object.assign(zoom, { k: 1, x: 0, y: 0 }); render(); },
    scale: () => zoom.k,
  };
}
