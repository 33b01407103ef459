// The operator console: asks for an operator token (kept in this tab's sessionStorage), then
// refreshes the map, the charts, the dead letters and the stuck trips from the operator routes.
import { ApiError, api, session } from "./console-api.js";
import { deadLetterPanel } from "./dead-letters.js";
import { drawDrivers, fetchDrivers, legendHtml } from "./driver-map.js";
import { flowChart } from "./flow-charts.js";
import { stuckTripsPanel } from "./stuck-trips.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = { drivers: 3000, flow: 5000, slow: 15000 };

function showSignIn(message = "") {
  session.clear();
  $("console").hidden = true;
  $("session").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message;
}

/** Runs `task` now and every `ms`; a 401/403 sends the operator back to the sign-in form, other failures show in `where`. */
function every(ms, task, where) {
  const run = async () => {
    try {
      await task();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403))
        return showSignIn(`The gateway refused the token: ${err.message}`);
      if (where) where.textContent = `Could not refresh: ${err.message}`;
    }
  };
  run();
  return setInterval(run, ms);
}

async function start() {
  // One call first, so a wrong token is caught before the panels start.
  try {
    await api("/v1/operator/flow");
  } catch (err) {
    return showSignIn(err instanceof ApiError && err.status < 500 ? `The gateway refused the token: ${err.message}` : String(err));
  }
  $("sign-in").hidden = true;
  $("console").hidden = false;
  $("session").hidden = false;

  every(
    REFRESH_MS.drivers,
    async () => {
      const { drivers, truncated } = await fetchDrivers();
      const { res } = drawDrivers($("map"), drivers);
      $("legend").innerHTML = legendHtml(drivers);
      $("map-note").textContent =
        `${drivers.length} drivers${truncated ? " (the first 20,000)" : ""}; shaded cells: H3 resolution ${res ?? "–"}, by available drivers. Refreshed every ${REFRESH_MS.drivers / 1000} s.`;
      $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    },
    $("map-note"),
  );

  const rates = flowChart($("rates"), (p) => p.rates);
  const lag = flowChart($("lag"), (p) => p.lags);
  every(REFRESH_MS.flow, async () => {
    const { points } = await api("/v1/operator/flow");
    rates(points);
    lag(points);
  });

  const deadLetters = deadLetterPanel($("dead-letters"), () => deadLetters());
  every(REFRESH_MS.slow, deadLetters, $("dead-letters"));
  every(REFRESH_MS.slow, stuckTripsPanel($("stuck-trips"), $("stuck-status"), $("stuck-age")), $("stuck-trips"));
}

$("sign-in").onsubmit = (e) => {
  e.preventDefault();
  session.save($("token").value.trim());
  start();
};
$("sign-out").onclick = () => {
  session.clear();
  location.reload();
};

if (session.token()) start();
else showSignIn();
