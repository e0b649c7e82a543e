// Offers that cannot be missed, on the psychologist's console (console.js starts it with its
// socket and its emit, after its own listeners, so these run after console.js's for each event).
//
// A ringing offer: the tab title says so, a desktop notification appears (once the person has
// allowed them with the visible button, never asked on page load), focus moves to Accept (not
// while she is typing in a field), and an assertive live region says the call in words.
// A missed ring (presence {state: "break", reason: "missed_ring", rang_seconds}): the console says
// so in words with an "Available again" button, and the title keeps a marker until she acts.
// The duty hint: the server says whether the rota has her on duty now ("duty" events and the
// heartbeat's reply, {on_duty}); this only shows it while she is Available.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse($("i18n-offer-alert").textContent);
  const C = JSON.parse($("i18n").textContent);   // the console's words (languages, caller types)
  const pageTitle = document.title;
  let api = null, state = null, onDuty = null, missed = false, ringing = null;
  let shown = null;   // the desktop notification on screen, if any

  const fmt = window.Senim.fill;
  function waited(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds) || 0));
    return s < 60 ? fmt(T.wait_seconds, {seconds: s})
      : fmt(T.wait_minutes, {minutes: Math.floor(s / 60), seconds: s % 60});
  }

  // ---- the tab title: a marker while a call rings or after a missed one, restored afterwards
  function updateTitle() {
    const mark = ringing ? T.ring_title : missed ? T.missed_title : "";
    if (mark) document.title = "(!) " + mark + " — " + pageTitle;
    else if (document.title.startsWith("(!) ")) document.title = pageTitle;
  }

  // ---- desktop notifications: only after the person allowed them from the visible button
  const supported = "Notification" in window;
  function updateAlertsControl() {
    const button = $("btn-desktop-alerts"), status = $("desktop-alerts-status");
    if (!supported) { button.hidden = true; status.textContent = T.alerts_unsupported; return; }
    const permission = Notification.permission;
    button.hidden = permission !== "default";
    status.textContent = permission === "granted" ? T.alerts_on : permission === "denied" ? T.alerts_blocked : "";
  }
  $("btn-desktop-alerts").addEventListener("click", async () => {
    try { await Notification.requestPermission(); } catch (e) { /* the status says what the browser decided */ }
    updateAlertsControl();
  });
  function closeDesktop() {
    if (shown) { try { shown.close(); } catch (e) { /* gone */ } shown = null; }
  }
  // A click on the notification brings this tab forward with focus on what to press.
  function desktop(title, body, target) {
    closeDesktop();
    if (!supported || Notification.permission !== "granted") return;
    try {
      const note = new Notification(title, {body, tag: "senim-console", renotify: true, requireInteraction: true});
      note.onclick = () => { window.focus(); note.close(); focusOn(target()); };
      shown = note;
    } catch (e) { /* some browsers only notify from a service worker: the title and sound remain */ }
  }

  // ---- focus: moved to what to press, never taken from a field the person is typing in
  function typing() {
    const el = document.activeElement;
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function focusOn(el) { if (el && !el.hidden) el.focus(); }
  function acceptTarget() { return $("btn-accept").disabled ? $("offer-title") : $("btn-accept"); }
  function lostFocus() {
    const el = document.activeElement;
    return !el || el === document.body || !!el.closest("#offer, #missed");
  }

  // ---- a ringing offer
  function announce(text) {
    const region = $("offer-announce");
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);   // said again even if the words repeat
  }
  function offered(data) {
    if ($("offer").hidden) return;    // console.js did not show it
    ringing = data.offer_id;
    const values = {language: C[data.language] || data.language || "—", wait: waited(data.waited_seconds),
                    caller: data.caller_type ? C[data.caller_type] || "" : ""};
    const words = fmt(values.caller ? T.announce : T.announce_unknown, values);
    const text = data.is_urgent ? T.urgent + ". " + words : words;
    announce(text);
    updateTitle();
    desktop(T.ring_title + " — Senim", text + " " + T.notify_body, acceptTarget);
    if (!typing()) focusOn(acceptTarget());
  }
  // The offer left the screen (accepted, declined, withdrawn or expired).
  function closed() {
    if (ringing === null) return;
    ringing = null;
    closeDesktop();
    $("offer-announce").textContent = "";
    updateTitle();
  }

  // ---- a missed ring, and "Available again" (shown as done only when the server says so)
  function showMissed(seconds) {
    missed = true;
    $("missed-text").textContent = fmt(T.missed, {seconds: Math.max(0, Math.round(Number(seconds) || 0))});
    $("missed-error").textContent = "";
    $("missed").hidden = false;
    updateTitle();
    desktop(T.missed_title + " — Senim", $("missed-text").textContent, () => $("btn-available-again"));
    if (!typing() && lostFocus()) focusOn($("btn-available-again"));
  }
  function clearMissed() {
    if (!missed) return;
    missed = false;
    $("missed").hidden = true;
    closeDesktop();
    updateTitle();
  }
  $("btn-available-again").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (button.disabled || !api) return;
    button.disabled = true;
    $("missed-error").textContent = "";
    try {
      const reply = await api.emit("set_state", {state: "available"}, true);
      if (reply.ok) clearMissed();
      else $("missed-error").textContent = reply.error || "";
    } finally {
      button.disabled = false;
    }
  });

  // ---- presence and the duty hint (the server computes it; this only shows it)
  function renderDuty() {
    $("duty-hint").textContent = state === "available" && onDuty === false ? T.not_on_duty : "";
  }
  function presence(data) {
    if (data.state !== state) onDuty = null;   // the server says again once she is Available
    state = data.state;
    if (data.state === "break" && data.reason === "missed_ring") showMissed(data.rang_seconds);
    else if (data.state !== "break" && data.state !== "offline") clearMissed();
    renderDuty();
  }
  function duty(data) {
    if (!data || typeof data.on_duty !== "boolean") return;
    onDuty = data.on_duty;
    renderDuty();
  }

  // ---- the call: a keyboard user lands on it after accepting
  function callConnected() {
    if (lostFocus() && !typing()) focusOn($("call-title"));
  }

  updateAlertsControl();
  window.offerAlert = {
    // {socket, emit(event, data, quiet) -> Promise<{ok, error?}>}
    start(console) {
      api = console;
      api.socket.on("offer", offered);
      api.socket.on("presence", presence);
      api.socket.on("duty", duty);
      api.socket.on("call_connected", callConnected);
      api.socket.on("disconnect", () => { state = null; onDuty = null; renderDuty(); });
    },
    closed,
    duty,
  };
})();
