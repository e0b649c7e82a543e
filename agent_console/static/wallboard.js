// The wall screen: figures refreshed on every change pushed over Socket.IO, and every 3 s.
(function () {
  "use strict";
  const socket = io("/console", {transports: ["websocket", "polling"]});
  const mmss = window.Senim.mmss;
  let pending = null;
  function get(data, path) { return path.split(".").reduce((o, k) => (o == null ? o : o[k]), data); }
  async function refresh() {
    const r = await fetch("/supervisor/wallboard.json");
    if (!r.ok) return;
    const data = await r.json();
    document.querySelectorAll("[data-key]").forEach((el) => {
      const v = get(data, el.dataset.key);
      el.textContent = v == null ? "—" : el.dataset.format === "mmss" ? mmss(v) : el.dataset.format === "pct" ? v + " %" : v;
    });
    document.getElementById("t-waiting").classList.toggle("alarm", data.urgent_waiting > 0);
  }
  socket.on("connect", refresh);
  socket.on("board_changed", () => { clearTimeout(pending); pending = setTimeout(refresh, 150); });
  setInterval(refresh, 3000);
})();
