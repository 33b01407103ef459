// The dead-letter queues: counts per topic, then a topic's letters with show and redrive
// (the gateway's operator routes, which run the CLI's own dead-letter code).
import { api } from "./console-api.js";

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const pretty = (value) => {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
};

export function deadLetterPanel(root, onChange) {
  let open = null;

  async function redrive(topic, filter, what) {
    if (!confirm(`Republish ${what} to ${topic} (same event id)?`)) return;
    const report = await api(`/v1/operator/dead-letters/${encodeURIComponent(topic)}/redrive`, {
      method: "POST",
      body: JSON.stringify(filter),
    });
    alert(`${report.redriven} of ${report.read} dead letter(s) republished to ${topic}.`);
    onChange();
  }

  async function showTopic(topic) {
    open = topic;
    const { deadLetters } = await api(`/v1/operator/dead-letters/${encodeURIComponent(topic)}`);
    const detail = root.querySelector("#dlq-detail");
    if (deadLetters.length === 0) {
      detail.innerHTML = `<p class="empty">${esc(topic)}.dlq is empty.</p>`;
      return;
    }
    detail.innerHTML = `
      <h3>${esc(topic)}.dlq <button type="button" class="danger" data-redrive-all>Redrive all ${deadLetters.length}</button></h3>
      <table>
        <thead><tr><th>at</th><th>type</th><th>key</th><th>error</th><th class="num">attempts</th><th></th></tr></thead>
        <tbody>${deadLetters
          .map(
            (d, i) => `<tr>
              <td>${esc(new Date(d.failedAt ?? d.appendedAt).toLocaleString())}<br><small>[${d.partition}]@${d.offset}</small></td>
              <td>${esc(d.type)}</td><td><code>${esc(d.key)}</code></td><td>${esc(d.error)}</td><td class="num">${d.attempts ?? "?"}</td>
              <td><button type="button" data-show="${i}">Show</button> <button type="button" class="danger" data-redrive="${i}">Redrive</button></td>
            </tr><tr hidden data-value="${i}"><td colspan="6"><pre>${esc(pretty(d.value))}</pre></td></tr>`,
          )
          .join("")}</tbody>
      </table>`;
    detail.querySelector("[data-redrive-all]").onclick = () => redrive(topic, {}, `all ${deadLetters.length} dead letters`);
    for (const b of detail.querySelectorAll("[data-show]"))
      b.onclick = () => {
        const row = detail.querySelector(`[data-value="${b.dataset.show}"]`);
        row.hidden = !row.hidden;
      };
    for (const b of detail.querySelectorAll("[data-redrive]")) {
      const d = deadLetters[Number(b.dataset.redrive)];
      b.onclick = () => redrive(topic, { key: d.key, type: d.type }, `the ${d.type} dead letters of key ${d.key}`);
    }
  }

  return async function refresh() {
    const { topics } = await api("/v1/operator/dead-letters");
    root.innerHTML = `
      <table class="dlq-topics">
        <thead><tr><th>topic</th><th class="num">dead letters</th><th></th></tr></thead>
        <tbody>${topics
          .map(
            (t) =>
              `<tr><td>${esc(t.topic)}</td><td class="num" data-count="${esc(t.topic)}">${t.deadLetters}</td>
              <td>${t.deadLetters > 0 ? `<button type="button" data-topic="${esc(t.topic)}">List</button>` : ""}</td></tr>`,
          )
          .join("")}</tbody>
      </table>
      <div id="dlq-detail"></div>`;
    for (const b of root.querySelectorAll("[data-topic]")) b.onclick = () => showTopic(b.dataset.topic);
    if (open && topics.some((t) => t.topic === open && t.deadLetters > 0)) await showTopic(open);
  };
}
