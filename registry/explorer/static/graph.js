// A small force-directed layout drawn as SVG: no library, the same picture for the same data.
const SVG = "http://www.w3.org/2000/svg";
const SHAPES = { Territory: "circle", Actor: "rect", UseCase: "diamond" };

// nodes: [{id, label, kind}], links: [[sourceId, targetId]]; positions within width x height.
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
  const pairs = links.map(([a, b]) => [index.get(a), index.get(b)]).filter(([a, b]) => a !== undefined && b !== undefined);
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

// Draw into `svg`; each node is a focusable button calling onSelect(id) on click or Enter.
export function draw(svg, nodes, links, onSelect) {
  const width = 900, height = 560;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const pos = layout(nodes, links, width, height);
  const at = new Map(nodes.map((n, i) => [n.id, pos[i]]));
  for (const [a, b] of links) {
    if (!at.has(a) || !at.has(b)) continue;
    svg.append(el("line", { x1: at.get(a).x, y1: at.get(a).y, x2: at.get(b).x, y2: at.get(b).y, class: "link" }));
  }
  nodes.forEach((n, i) => {
    const { x, y } = pos[i];
    const group = el("g", { class: `node ${n.kind}`, tabindex: "0", role: "button", "data-id": n.id, "aria-label": `${n.kindLabel}: ${n.label}` });
    const shape = SHAPES[n.kind];
    if (shape === "circle") group.append(el("circle", { cx: x, cy: y, r: 9 }));
    else if (shape === "rect") group.append(el("rect", { x: x - 7, y: y - 7, width: 14, height: 14 }));
    else group.append(el("polygon", { points: `${x},${y - 9} ${x + 9},${y} ${x},${y + 9} ${x - 9},${y}` }));
    const text = el("text", { x: x + 12, y: y + 4 });
    text.textContent = n.label.length > 28 ? `${n.label.slice(0, 27)}…` : n.label;
    group.append(text);
    const title = el("title", {});
    title.textContent = n.label;
    group.append(title);
    group.addEventListener("click", () => onSelect(n.id));
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onSelect(n.id); }
    });
    svg.append(group);
  });
}
