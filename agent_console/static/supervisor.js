// The supervisor's live view: refreshed on every change pushed over Socket.IO.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  // the words for codes (languages, who called), in the page's language
  const L = JSON.parse(document.getElementById("labels").textContent);
  const word = (group, code) => (code ? (L[group][code] || code) : "—");
  const $ = (id) => document.getElementById(id);
  const socket = io("/console", {transports: ["websocket", "polling"]});
  const {mmss, fill, el, localTime: local, localDate} = window.Senim;
  const alarm = window.Senim.sound.alarm;     // the banner remains without sound
  window.Senim.sound.prepareOnTouch();
  let pending = null;

  // A tick or a close is shown as done only when the server says so; otherwise the supervisor is
  // told in words, and the board is redrawn from the server (an unsaved tick comes back unticked).
  function actionFailed(message) { $("action-error").textContent = message; return false; }
  async function post(url, body) {
    const {ok, data} = await window.Senim.post(url, body, T);
    refresh();
    if (!ok) return actionFailed(data.error);
    $("action-error").textContent = "";
    return true;
  }

  const D = JSON.parse(document.getElementById("i18n-duty").textContent);
  const day = localDate;
  // What the supervisor is writing survives the board being redrawn.
  const chosen = {};          // call id -> user id chosen to hand it to
  const closing = {};         // escalation id -> {body: reason} once Close asked for reasons
  let dutyFor = null, dutyEnds = {};

  function dueText(due) {
    const key = {today: "due_today", tomorrow: "due_tomorrow", overdue: "due_overdue"}[due.day] || "due_date";
    return fill(D[key], {time: due.time, date: day(due.date + "T12:00:00Z")});
  }

  function escalationCard(e) {
    const box = el("div", undefined, "escalation"); box.dataset.escalation = e.id;
    box.appendChild(el("h3", `${T.escalation} #${e.id}`));
    if (e.call) {
      box.appendChild(el("p", [fill(D.call_at, {time: local(e.call.started_at)}), D[e.call.language] || D.unknown_language,
                               D[e.call.caller_type] || D.unknown_caller, fill(D.raised_by, {name: e.raised_by || "—"})].join(" · "), "escalation-call"));
    }
    box.appendChild(el("p", dueText(e.due), "escalation-due" + (e.due.day === "overdue" ? " error" : "")));
    const asking = closing[e.id];
    const list = el("ul", undefined, "checklist");
    e.checklist.forEach((item) => {
      const li = el("li");
      const label = el("label", undefined, "check");
      const tick = document.createElement("input"); tick.type = "checkbox"; tick.checked = !!item.notified_at; tick.disabled = !!item.notified_at;
      tick.addEventListener("change", () => post(`/supervisor/escalations/${e.id}/notified`, {body: item.body}));
      label.appendChild(tick); label.appendChild(document.createTextNode(" " + (T[item.body] || item.body)));
      li.appendChild(label);
      if (item.notified_at) li.appendChild(el("span", ` ${T.notified} ${local(item.notified_at)}`, "muted"));
      else if (asking) {
        const why = el("label", D.skip_reason + " ", "skip-reason");
        const input = document.createElement("input"); input.type = "text"; input.maxLength = 500; input.dataset.body = item.body;
        input.value = asking[item.body] || "";
        input.addEventListener("input", () => { asking[item.body] = input.value; });
        why.appendChild(input); li.appendChild(why);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    const unticked = e.checklist.filter((i) => !i.notified_at).length;
    if (asking && unticked) box.appendChild(el("p", D.explain, "muted"));
    const close = el("button", asking && unticked ? D.close_with_reasons : T.close); close.type = "button";
    close.addEventListener("click", async () => {
      if (unticked && !closing[e.id]) { closing[e.id] = {}; refresh(); return; }
      if (await post(`/supervisor/escalations/${e.id}/close`, {reasons: closing[e.id] || {}})) delete closing[e.id];
    });
    box.appendChild(close);
    return box;
  }

  function waitingCall(c, board) {
    const li = el("li", undefined, "waiting-call" + (c.is_urgent ? " urgent" : "")); li.dataset.call = c.call_id;
    li.appendChild(el("div", `${c.is_urgent ? T.urgent + " · " : ""}${word("language", c.language)} · ${word("caller_type", c.caller_type)} · ${T.waited} ${mmss(c.waited_seconds)} · ${c.centre}`));
    const why = c.not_offered || [];
    if (why.length) {
      const details = el("div", undefined, "why-not");
      details.appendChild(el("p", D.why_title, "muted"));
      const ul = el("ul", undefined, "reasons");
      why.forEach((w) => {
        const item = el("li", `${w.name}: ${D["why_" + w.reason] || w.reason}`); item.dataset.reason = w.reason; item.dataset.user = w.user_id;
        if (w.reason === "not_on_duty") {
          const b = el("button", D.duty_button, "small"); b.type = "button";
          b.addEventListener("click", () => openDuty(w.user_id, w.name, board));
          item.appendChild(document.createTextNode(" ")); item.appendChild(b);
        }
        ul.appendChild(item);
      });
      details.appendChild(ul); li.appendChild(details);
    }
    const free = board.agents.filter((a) => a.state === "available" && a.centre_id === c.centre_id);
    const form = el("div", undefined, "hand");
    if (!free.length) { form.appendChild(el("span", D.hand_none, "muted")); li.appendChild(form); return li; }
    const label = el("label", D.hand_label + " ");
    const pick = document.createElement("select"); pick.className = "hand-to";
    free.forEach((a) => { const o = el("option", a.name); o.value = a.id; pick.appendChild(o); });
    if (chosen[c.call_id] && free.some((a) => String(a.id) === String(chosen[c.call_id]))) pick.value = chosen[c.call_id];
    pick.addEventListener("change", () => { chosen[c.call_id] = pick.value; });
    label.appendChild(pick); form.appendChild(label);
    const go = el("button", D.hand_button); go.type = "button";
    go.addEventListener("click", async () => {
      const name = pick.options[pick.selectedIndex].textContent;
      if (await post(`/supervisor/calls/${encodeURIComponent(c.call_id)}/hand`, {user_id: Number(pick.value)})) {
        $("hand-done").textContent = fill(D.handed, {name});
      }
    });
    form.appendChild(document.createTextNode(" ")); form.appendChild(go);
    li.appendChild(form);
    return li;
  }

  function openDuty(userId, name, board) {
    const agent = board.agents.find((a) => a.id === userId);
    dutyFor = userId;
    $("duty-title").textContent = fill(D.duty_title, {name});
    $("duty-until").value = (agent && dutyEnds[String(agent.centre_id)]) || "";
    $("duty-reason").value = ""; $("duty-error").textContent = ""; $("duty-violations").innerHTML = "";
    $("duty-panel").hidden = false; $("duty-until").focus();
  }
  $("duty-cancel").addEventListener("click", () => { $("duty-panel").hidden = true; dutyFor = null; });
  $("duty-panel").addEventListener("submit", async (event) => {
    event.preventDefault();
    const {ok, data} = await window.Senim.post("/supervisor/duty", {user_id: dutyFor, until: $("duty-until").value,
                                                                    reason: $("duty-reason").value}, T);
    refresh();
    $("duty-violations").innerHTML = "";
    if (!ok) {
      $("duty-error").textContent = data.error;
      (data.violations || []).forEach((v) => $("duty-violations").appendChild(el("li", v)));
      if (data.needs_reason) $("duty-reason").focus();
      return;
    }
    $("duty-panel").hidden = true; dutyFor = null;
    $("duty-done").textContent = fill(D.duty_done, {name: data.name, time: data.until});
  });

  function render(board) {
    dutyEnds = board.duty_ends || {};
    const esc = $("escalations"); esc.innerHTML = "";
    if (!board.escalations.length) esc.appendChild(el("p", T.none, "muted"));
    board.escalations.forEach((e) => esc.appendChild(escalationCard(e)));
    $("waiting-count").textContent = board.waiting.length;
    $("waiting").innerHTML = "";
    board.waiting.forEach((c) => $("waiting").appendChild(waitingCall(c, board)));
    $("progress-count").textContent = board.in_progress.length;
    $("in-progress").innerHTML = "";
    const names = Object.fromEntries(board.agents.map((a) => [a.id, a.name]));
    board.in_progress.forEach((c) => {
      const li = el("li", undefined, c.is_urgent ? "urgent" : ""); li.dataset.call = c.call_id;
      li.appendChild(el("span", `${names[c.agent_id] || "—"} · ${word("language", c.language)} · ${T.talking} ${mmss(c.talk_seconds)}`, "call-summary"));
      $("in-progress").appendChild(li);
    });
    document.dispatchEvent(new CustomEvent("board-rendered"));   // supervisor_line.js adds its controls
    $("agents").innerHTML = "";
    board.agents.forEach((a) => {
      const tr = el("tr"); tr.dataset.user = a.id;
      tr.appendChild(el("td", a.name));
      const st = el("td"); st.appendChild(el("span", T[a.state] || a.state, "state-badge")); st.firstChild.dataset.state = a.state; tr.appendChild(st);
      tr.appendChild(el("td", a.since_seconds == null ? "" : mmss(a.since_seconds)));
      tr.appendChild(el("td", a.languages.map((code) => word("language", code)).join(", ")));
      const duty = el("td", a.on_duty ? D.on_duty : D.off_duty);
      if (!a.on_duty && a.role === "psychologist") {
        const b = el("button", D.duty_button, "small"); b.type = "button";
        b.addEventListener("click", () => openDuty(a.id, a.name, board));
        duty.appendChild(document.createTextNode(" ")); duty.appendChild(b);
      }
      tr.appendChild(duty);
      $("agents").appendChild(tr);
    });
  }

  // Typing a reason is never interrupted by a redraw: the board waits until the field is left.
  function typing() {
    const a = document.activeElement;
    return a && a.closest && a.closest("#escalations") && a.tagName === "INPUT" && a.type === "text";
  }

  async function refresh() {
    if (typing()) { soon(); return; }
    const r = await fetch("/supervisor/board.json");
    if (!r.ok) return;
    const board = await r.json();
    if (typing()) { soon(); return; }   // she started typing while the board was on its way
    render(board);
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
  const signOut = window.Senim.endOnSignOut(socket, () => {
    clearInterval(refresher);
    const banner = $("alert-banner"); banner.textContent = T.signed_out; banner.hidden = false;
  });
  socket.on("disconnect", (reason) => { if (reason === "io server disconnect") signOut.stop(); });
  socket.on("coverage_gap", (d) => notice(T.coverage_gap.replace("{centre}", d.centre)));
  socket.on("staff_missing", (d) => notice(T.staff_missing.replace("{user}", d.user)));
  socket.on("coverage_forecast", (d) => notice(T.coverage_forecast.replace("{centre}", d.centre).replace("{gaps}", d.gaps)));
  const refresher = setInterval(refresh, 5000);
  setInterval(() => { if (socket.connected) socket.emit("heartbeat", {}, () => {}); }, 10000);
  window.supervisorBoard = {socket, alarm};      // for supervisor_help.js
})();
