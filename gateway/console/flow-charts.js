// Topic rates and consumer lag over the sampler's window, drawn with uPlot (served by the gateway).
import uPlot from "/assets/uPlot.esm.js";

const PALETTE = ["#5fb3f9", "#3fbf6f", "#f0a93b", "#c678dd", "#ef5b5b", "#56d4c5", "#e5c07b"];

/** A time-series chart whose series follow the keys of `pick(point)`; rebuilt only when those keys change. */
export function flowChart(element, pick) {
  let plot;
  let names = "";
  return (points) => {
    const keys = [...new Set(points.flatMap((p) => Object.keys(pick(p))))].sort();
    const data = [points.map((p) => Date.parse(p.at) / 1000), ...keys.map((k) => points.map((p) => pick(p)[k] ?? null))];
    if (plot && names === keys.join()) {
      plot.setData(data);
      return;
    }
    plot?.destroy();
    names = keys.join();
    element.textContent = "";
    if (points.length === 0) {
      element.innerHTML = '<p class="empty">Waiting for the gateway\'s first samples (one every few seconds)…</p>';
      plot = undefined;
      names = "";
      return;
    }
    plot = new uPlot(
      {
        width: element.clientWidth,
        height: 220,
        series: [{}, ...keys.map((k, i) => ({ label: k, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: false } }))],
        axes: [
          { stroke: "#8a95a8", grid: { stroke: "#1c2533" }, ticks: { stroke: "#263040" } },
          { stroke: "#8a95a8", grid: { stroke: "#1c2533" }, ticks: { stroke: "#263040" }, size: 60 },
        ],
        scales: { y: { range: (_u, min, max) => [0, Math.max(1, max * 1.1, min)] } },
        legend: { live: false },
      },
      data,
      element,
    );
  };
}
