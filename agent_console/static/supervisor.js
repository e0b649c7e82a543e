// The supervisor's live view: refreshed on every change pushed over Socket.IO.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  // the words for codes (languages, who called), in the page's language
  const L = JSON.parse(document.getElementById("labels").textContent);
  const word = (group, code) => (code ? (L[group][code] || code) : "—");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const socket = io("/console", {transports: ["websocket", "polling"]});
  const mmss = (s) => String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(Math.floor(s % 60)).padStart(2, "0");
  const local = (iso) => new Date(iso).toLocaleTimeString("ru-RU", {timeZone: "Asia/Almaty", hour: "2-digit", minute: "2-digit"});
  let pending = null;

  function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }

  function alarm() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.4, 0.8].forEach((t) => {
        const osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880; gain.gain.value = 0.12; osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + t); osc.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* the banner remains */ }
  }

  // A tick or a close is shown as done only when the server says so; otherwise the supervisor is
  // told in words, and the board is redrawn from the server (an unsaved tick comes back unticked).
  function actionFailed(message) { $("action-error").textContent = message; return false; }
  async function post(url, body) {
    let r;
    try {
      r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json",
                                                      "X-CSRFToken": csrf}, body: JSON.stringify(body || {})});
    } catch (e) {
      refresh();
      return actionFailed(T.not_done_offline);
    }
    const isJson = (r.headers.get("Content-Type") || "").includes("application/json");
    const data = isJson ? await r.json().catch(() => ({})) : {};
    refresh();
    if (r.redirected || !isJson) return actionFailed(data.error || T.not_done_signed_out);
    if (!r.ok) return actionFailed(data.error || T.not_done_server);
    $("action-error").textContent = "";
    return true;
  }

  function render(board) {
    const esc = $("escalations"); esc.innerHTML = "";
    if (!board.escalations.length) esc.appendChild(el("p", T.none, "muted"));
    board.escalations.forEach((e) => {
      const box = el("div", undefined, "escalation");
      box.appendChild(el("h3", `${T.escalation} #${e.id} · ${local(e.raised_at)} · ${T.due} ${local(e.due_at)}`));
      const list = el("ul", undefined, "checklist");
      e.checklist.forEach((item) => {
        const li = el("li");
        const label = el("label", undefined, "check");
        const box2 = document.createElement("input"); box2.type = "checkbox"; box2.checked = !!item.notified_at; box2.disabled = !!item.notified_at;
        box2.addEventListener("change", () => post(`/supervisor/escalations/${e.id}/notified`, {body: item.body}));
        label.appendChild(box2); label.appendChild(document.createTextNode(" " + (T[item.body] || item.body)));
        li.appendChild(label);
        if (item.notified_at) li.appendChild(el("span", ` ${T.notified} ${local(item.notified_at)}`, "muted"));
        list.appendChild(li);
      });
      box.appendChild(list);
      const close = el("button", T.close); close.type = "button";
      close.addEventListener("click", () => post(`/supervisor/escalations/${e.id}/close`));
      box.appendChild(close);
      esc.appendChild(box);
    });
    $("waiting-count").textContent = board.waiting.length;
    $("waiting").innerHTML = "";
    board.waiting.forEach((c) => {
      const li = el("li", `${c.is_urgent ? T.urgent + " · " : ""}${word("language", c.language)} · ${word("caller_type", c.caller_type)} · ${T.waited} ${mmss(c.waited_seconds)} · ${c.centre}`);
      if (c.is_urgent) li.className = "urgent";
      $("waiting").appendChild(li);
    });
    $("progress-count").textContent = board.in_progress.length;
    $("in-progress").innerHTML = "";
    const names = Object.fromEntries(board.agents.map((a) => [a.id, a.name]));
    board.in_progress.forEach((c) => $("in-progress").appendChild(el("li", `${names[c.agent_id] || "—"} · ${word("language", c.language)} · ${T.talking} ${mmss(c.talk_seconds)}`, c.is_urgent ? "urgent" : "")));
    $("agents").innerHTML = "";
    board.agents.forEach((a) => {
      const tr = el("tr");
      tr.appendChild(el("td", a.name));
      const st = el("td"); st.appendChild(el("span", T[a.state] || a.state, "state-badge")); st.firstChild.dataset.state = a.state; tr.appendChild(st);
      tr.appendChild(el("td", a.since_seconds == null ? "" : mmss(a.since_seconds)));
      tr.appendChild(el("td", a.languages.map((code) => word("language", code)).join(", ")));
      $("agents").appendChild(tr);
    });
  }

  async function refresh() {
    const r = await fetch("/supervisor/board.json");
    if (r.ok) render(await r.json());
  }
  function soon() { clearTimeout(pending); pending = setTimeout(refresh, 150); }

  socket.on("connect", refresh);
  socket.on("board_changed", soon);
  socket.on("escalation", () => {
    const banner = $("alert-banner"); banner.textContent = T.new_escalation; banner.hidden = false;
    alarm(); soon();
  });
  function notice(text) {
    const banner = $("alert-banner"); banner.textContent = text; banner.hidden = false; alarm();
  }
  // The sign-in session ended (here or elsewhere, revoked, idle or too old): say so and stop.
  let signedOut = false;
  function stopSignedOut() {
    if (signedOut) return;
    signedOut = true;
    socket.io.opts.reconnection = false;
    socket.disconnect();
    clearInterval(refresher);
    const banner = $("alert-banner"); banner.textContent = T.signed_out; banner.hidden = false;
  }
  socket.on("signed_out", stopSignedOut);
  socket.on("session_ended", stopSignedOut);
  socket.on("connect_error", () => { if (!socket.active) stopSignedOut(); });
  socket.on("disconnect", (reason) => { if (reason === "io server disconnect") stopSignedOut(); });
  socket.on("coverage_gap", (d) => notice(T.coverage_gap.replace("{centre}", d.centre)));
  socket.on("staff_missing", (d) => notice(T.staff_missing.replace("{user}", d.user)));
  socket.on("coverage_forecast", (d) => notice(T.coverage_forecast.replace("{centre}", d.centre).replace("{gaps}", d.gaps)));
  const refresher = setInterval(refresh, 5000);
  setInterval(() => { if (socket.connected) socket.emit("heartbeat", {}, () => {}); }, 10000);
})();
