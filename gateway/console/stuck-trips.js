// Trips stuck in a state past a threshold: the operators' booking list, least recently changed first.
import { api } from "./console-api.js";

const STATUSES = ["accepted", "arrived", "started", "offered", "requested"];
const AGES = [
  ["5 min", 5],
  ["15 min", 15],
  ["30 min", 30],
  ["1 h", 60],
  ["4 h", 240],
];
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function ago(iso) {
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  return minutes < 90 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

export function stuckTripsPanel(root, statusSelect, ageSelect) {
  statusSelect.innerHTML = STATUSES.map((s) => `<option>${s}</option>`).join("");
  ageSelect.innerHTML = AGES.map(
    ([label, minutes]) => `<option value="${minutes}"${minutes === 15 ? " selected" : ""}>${label}</option>`,
  ).join("");

  const refresh = async () => {
    const before = new Date(Date.now() - Number(ageSelect.value) * 60_000).toISOString();
    const query = new URLSearchParams({ status: statusSelect.value, updatedBefore: before, limit: "50" });
    let bookings;
    try {
      ({ bookings } = await api(`/v1/bookings?${query}`));
    } catch (err) {
      if (err.status !== 404 && err.status !== 405) throw err;
      root.innerHTML = '<p class="empty">This gateway has no operators\' booking list (GET /v1/bookings).</p>';
      return;
    }
    root.innerHTML =
      bookings.length === 0
        ? `<p class="empty">No booking has been ${esc(statusSelect.value)} for longer than ${esc(ageSelect.selectedOptions[0].text)}.</p>`
        : `<table>
            <thead><tr><th>booking</th><th>customer</th><th>driver</th><th>vehicle</th><th class="num">unchanged for</th></tr></thead>
            <tbody>${bookings
              .map(
                (b) => `<tr><td><code>${esc(b.bookingId)}</code></td><td>${esc(b.customerId)}</td><td>${esc(b.driverId ?? "—")}</td>
                  <td>${esc(b.vehicleType)}</td><td class="num">${ago(b.updatedAt)}</td></tr>`,
              )
              .join("")}</tbody>
          </table>`;
  };
  statusSelect.onchange = refresh;
  ageSelect.onchange = refresh;
  return refresh;
}
