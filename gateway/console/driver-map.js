// Drivers on a plain canvas: no tile server is reachable, so the "map" is the drivers themselves,
// a graticule, a scale bar and the H3 cells they occupy (h3-js, served by the gateway).
import { cellToBoundary, latLngToCell } from "/assets/h3-js.es.js";
import { api } from "./console-api.js";

const MAX_DRIVERS = 20_000;
const COLORS = { available: "#3fbf6f", busy: "#f0a93b", suspect: "#ef5b5b", offline: "#6b7280" };
const KM_PER_DEG = 111.32;

/** What a driver shows as: a suspect fix outranks any status. */
export function stateOf(d) {
  if (d.suspect) return "suspect";
  return d.status === "available" || d.status === "busy" ? d.status : "offline";
}

/** Every driver, page by page (GET /v1/operator/drivers), de-duplicated: a Redis listing may repeat one. */
export async function fetchDrivers() {
  const byId = new Map();
  let cursor = null;
  do {
    const page = await api(`/v1/operator/drivers?limit=2000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    for (const d of page.drivers) byId.set(d.driverId, d);
    cursor = page.nextCursor;
  } while (cursor && byId.size < MAX_DRIVERS);
  return { drivers: [...byId.values()], truncated: cursor !== null };
}

/** The view: the drivers' extent, padded, at least 2 km across, with x scaled by cos(latitude). */
function viewOf(points, width, height) {
  const lats = points.map((p) => p.lat);
  const lngs = points.map((p) => p.lng);
  const mid = { lat: (Math.min(...lats) + Math.max(...lats)) / 2, lng: (Math.min(...lngs) + Math.max(...lngs)) / 2 };
  const kx = Math.cos((mid.lat * Math.PI) / 180);
  const spanKm = Math.max(
    2,
    (Math.max(...lats) - Math.min(...lats)) * KM_PER_DEG,
    (Math.max(...lngs) - Math.min(...lngs)) * KM_PER_DEG * kx,
  );
  const kmPerPx = (spanKm * 1.15) / Math.min(width, height);
  return {
    spanKm,
    kmPerPx,
    x: (lng) => width / 2 + ((lng - mid.lng) * KM_PER_DEG * kx) / kmPerPx,
    y: (lat) => height / 2 - ((lat - mid.lat) * KM_PER_DEG) / kmPerPx,
    lngAt: (x) => mid.lng + ((x - width / 2) * kmPerPx) / (KM_PER_DEG * kx),
    latAt: (y) => mid.lat - ((y - height / 2) * kmPerPx) / KM_PER_DEG,
  };
}

/** Cells about a tenth of the view across: res 6 (the geo index's shards) for a metro, finer when zoomed in. */
function resolutionFor(spanKm) {
  if (spanKm > 40) return 5;
  if (spanKm > 15) return 6;
  if (spanKm > 6) return 7;
  return 8;
}

function niceStep(span) {
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

export function drawDrivers(canvas, drivers) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  g.clearRect(0, 0, width, height);
  const placed = drivers.filter((d) => d.lat !== null && d.lng !== null);
  if (placed.length === 0) {
    g.fillStyle = "#8a95a8";
    g.font = "14px system-ui";
    g.fillText("No driver has reported a position yet.", 20, 30);
    return { res: null };
  }
  const view = viewOf(placed, width, height);

  // Graticule, labelled in degrees.
  g.strokeStyle = "#1c2533";
  g.fillStyle = "#56627a";
  g.font = "11px system-ui";
  g.lineWidth = 1;
  const lngStep = niceStep(view.lngAt(width) - view.lngAt(0));
  for (let lng = Math.ceil(view.lngAt(0) / lngStep) * lngStep; lng < view.lngAt(width); lng += lngStep) {
    const x = Math.round(view.x(lng)) + 0.5;
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, height);
    g.stroke();
    g.fillText(`${lng.toFixed(3)}°`, x + 3, height - 6);
  }
  const latStep = niceStep(view.latAt(0) - view.latAt(height));
  for (let lat = Math.ceil(view.latAt(height) / latStep) * latStep; lat < view.latAt(0); lat += latStep) {
    const y = Math.round(view.y(lat)) + 0.5;
    g.beginPath();
    g.moveTo(0, y);
    g.lineTo(width, y);
    g.stroke();
    g.fillText(`${lat.toFixed(3)}°`, 4, y - 3);
  }

  // H3 cells shaded by how many available drivers they hold (outlined where only others are).
  const res = resolutionFor(view.spanKm);
  const cells = new Map();
  for (const d of placed) {
    const cell = latLngToCell(d.lat, d.lng, res);
    const c = cells.get(cell) ?? { available: 0, all: 0 };
    c.all++;
    if (stateOf(d) === "available") c.available++;
    cells.set(cell, c);
  }
  const most = Math.max(1, ...[...cells.values()].map((c) => c.available));
  for (const [cell, c] of cells) {
    g.beginPath();
    for (const [i, [lat, lng]] of cellToBoundary(cell).entries()) (i ? g.lineTo : g.moveTo).call(g, view.x(lng), view.y(lat));
    g.closePath();
    g.fillStyle = `rgba(63, 191, 111, ${0.05 + 0.3 * (c.available / most)})`;
    g.fill();
    g.strokeStyle = "rgba(95, 179, 249, 0.35)";
    g.stroke();
  }

  // Drivers: available under busy under suspect, so the rare states stay visible.
  const order = { offline: 0, available: 1, busy: 2, suspect: 3 };
  const radius = placed.length > 3000 ? 2 : placed.length > 300 ? 3 : 4.5;
  for (const d of [...placed].sort((a, b) => order[stateOf(a)] - order[stateOf(b)])) {
    g.beginPath();
    g.arc(view.x(d.lng), view.y(d.lat), radius, 0, 2 * Math.PI);
    g.fillStyle = COLORS[stateOf(d)];
    g.fill();
    if (stateOf(d) === "suspect") {
      g.strokeStyle = "#ffd2d2";
      g.stroke();
    }
  }

  // Scale bar.
  const barKm = niceStep(view.spanKm * 0.9);
  const barPx = barKm / view.kmPerPx;
  g.strokeStyle = "#d8dee9";
  g.fillStyle = "#d8dee9";
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(width - 20 - barPx, height - 22);
  g.lineTo(width - 20, height - 22);
  g.stroke();
  g.fillText(`${barKm} km`, width - 20 - barPx, height - 28);
  return { res };
}

export function legendHtml(drivers) {
  const counts = { available: 0, busy: 0, suspect: 0, offline: 0 };
  for (const d of drivers) counts[stateOf(d)]++;
  return Object.entries(counts)
    .map(([state, n]) => `<span data-state="${state}"><i style="background:${COLORS[state]}"></i>${state} <b>${n}</b></span>`)
    .join("");
}
