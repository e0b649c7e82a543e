// The psychologist's console: presence, offers, the call, the contact record, and (with the real
// carrier) the browser's audio leg through the Twilio Voice SDK.
//
// Server -> console on /console: presence, offer, offer_withdrawn {offer_id, reason},
// call_connected, caller_joined {call_id}, bridge_failed {call_id, reason},
// agent_leg_lost {call_id, rejoin_seconds}, call_handed_on {call_id}, call_ended, shift_reminder.
// Console -> server (each with a reply {ok, error?}): set_state, accept {offer_id, device_ready},
// decline, rejoin {call_id}, hang_up {call_id}, heartbeat.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const root = document.querySelector(".console");
  const carrier = root.dataset.carrier;
  const twilioMode = carrier === "twilio";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const stateEl = $("my-state"), errorEl = $("console-error");
  const REPLY_TIMEOUT_MS = 10000, CONNECT_WAIT_MS = 5000;
  let offer = null, callId = null, callStarted = null, timer = null, wrapTimer = null;
  let acceptPending = false, hangUpPending = false, rejoinPending = false;
  const finished = new Set();   // calls that failed, moved on or ended: never (re)connect audio to them

  const socket = io("/console", {transports: ["websocket", "polling"]});

  // ---- small helpers
  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }
  // Nothing the carrier says may put a call identifier or a phone number on the page.
  function safe(text) {
    return String(text || "").replace(/\b(CA|CF|PN)[0-9a-f]{32}\b/gi, "…").replace(/\+?\d(?:[\s-]?\d){10,}/g, "…");
  }
  function showError(message) { errorEl.textContent = safe(message); }
  function mmss(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }
  // Every action waits for the server's word; no answer is a failure, never shown as done.
  // While disconnected it waits a little for the connection and otherwise sends nothing (Socket.IO
  // would buffer it and send it later, after we had said it failed).
  function connected(ms) {
    if (socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onConnect = () => { clearTimeout(wait); resolve(true); };
      const wait = setTimeout(() => { socket.off("connect", onConnect); resolve(false); }, ms);
      socket.once("connect", onConnect);
    });
  }
  async function emit(event, data) {
    if (!(await connected(CONNECT_WAIT_MS))) { showError(T.lost); return {ok: false, error: T.lost}; }
    return new Promise((resolve) => socket.timeout(REPLY_TIMEOUT_MS).emit(event, data || {}, (err, reply) => {
      if (err) reply = {ok: false, error: socket.connected ? T.no_reply : T.lost};
      if (!reply || !reply.ok) showError(reply ? reply.error || T.no_reply : T.lost); else showError("");
      resolve(reply || {ok: false, error: T.lost});
    }));
  }
  function setState(state) {
    stateEl.textContent = T[state] || state;
    stateEl.dataset.state = state;
    $("btn-available").disabled = state === "available" || state === "on_call";
    $("btn-break").disabled = state === "break" || state === "on_call";
    $("wrapup").hidden = state !== "wrap_up";
    if (state !== "wrap_up") clearInterval(wrapTimer);
  }

  // ---- notices: what happened, in words (a polite live region; the text is the announcement)
  function notify(message) {
    $("notice-text").textContent = safe(message);
    $("notice").classList.toggle("has-notice", !!message);
    $("btn-notice-dismiss").hidden = !message;
  }
  $("btn-notice-dismiss").addEventListener("click", () => notify(""));

  // ---- presence
  socket.on("connect", () => { showError(""); updateReadiness(); });
  socket.on("disconnect", () => { showError(T.lost); stateEl.textContent = T.offline; });
  socket.on("presence", (data) => setState(data.state));
  socket.on("shift_reminder", (data) => {
    const at = new Date(data.starts_at).toLocaleTimeString([], {timeZone: "Asia/Almaty", hour: "2-digit", minute: "2-digit"});
    showError(T.shift_reminder + " " + at);
  });
  setInterval(() => { if (socket.connected) socket.emit("heartbeat", {}, () => {}); }, 10000);
  $("btn-available").addEventListener("click", () => emit("set_state", {state: "available"}));
  $("btn-break").addEventListener("click", () => emit("set_state", {state: "break"}));

  // ---- offers
  let ringCtx = null, ringTimer = null;
  function ring(on) {
    clearInterval(ringTimer);
    if (!on) return;
    try {
      ringCtx = ringCtx || new (window.AudioContext || window.webkitAudioContext)();
      const beep = () => {
        const osc = ringCtx.createOscillator(), gain = ringCtx.createGain();
        osc.frequency.value = 660; gain.gain.value = 0.08;
        osc.connect(gain); gain.connect(ringCtx.destination);
        osc.start(); osc.stop(ringCtx.currentTime + 0.35);
      };
      beep(); ringTimer = setInterval(beep, 1500);
    } catch (e) { /* no audio: the banner is enough */ }
  }
  function closeOffer() { $("offer").hidden = true; ring(false); offer = null; }
  socket.on("offer", (data) => {
    offer = data;
    $("offer-language").textContent = T[data.language] || data.language || "—";
    $("offer-caller").textContent = T[data.caller_type || "unknown"];
    $("offer-wait").textContent = mmss(data.waited_seconds);
    $("offer-centre").textContent = data.centre + (data.is_backup ? " (national backup)" : "");
    $("offer-urgent").hidden = !data.is_urgent;
    $("offer").classList.toggle("is-urgent", !!data.is_urgent);
    $("offer").hidden = false;
    ring(true);
    updateReadiness();
    if (twilioMode && (voice.tokenError || voice.deviceError)) recoverSoon(0);
  });
  socket.on("offer_withdrawn", (data) => {
    if (!offer || data.offer_id !== offer.offer_id) return;
    closeOffer();
    if (data.reason === "caller_lost") notify(T.offer_caller_lost);
  });
  $("btn-accept").addEventListener("click", async () => {
    if (!offer || acceptPending) return;
    const current = offer;
    acceptPending = true; updateReadiness();
    try {
      if (twilioMode) {
        await freshToken().catch(() => null);   // proves the server still gives call access
        if (!deviceReady()) return;              // the reason is shown next to Accept
      }
      const reply = await emit("accept", {offer_id: current.offer_id, device_ready: deviceReady()});
      if (offer === current) closeOffer();
      // The bridge may already have failed (bridge_failed can overtake this reply).
      if (!reply.ok || finished.has(reply.call_id)) return;
      if (reply.call_id) callId = reply.call_id;
      if (twilioMode) {
        if (reply.join) await connectVoice(reply.join, reply.call_id);
        else showError(T.no_join);
      }
    } finally {
      acceptPending = false; updateReadiness();
    }
  });
  $("btn-decline").addEventListener("click", async () => {
    if (!offer) return;
    await emit("decline", {offer_id: offer.offer_id});
    closeOffer();
  });

  // ---- the call
  function callStatus(text) { $("call-status").textContent = text || ""; }
  function endCallPanel(keepRecord) {
    clearInterval(timer);
    hideLegLost();
    $("call").hidden = true;
    if (!keepRecord) { $("record").hidden = true; $("record-form").reset(); $("record-status").textContent = ""; }
    dropVoice();
    callStatus("");
    if (!keepRecord) callId = null;
  }
  socket.on("call_connected", (data) => {
    callId = data.call_id; callStarted = Date.now();
    notify(""); hideLegLost(); showError("");
    $("call").hidden = false; $("record").hidden = false; $("record-status").textContent = "";
    $("record-form").reset();
    if (data.caller_type) $("r-caller").value = data.caller_type;
    $("call-facts").textContent = [T[data.language] || "", T[data.caller_type || "unknown"], data.centre].join(" · ");
    $("voice-note").textContent = carrier === "simulated" ? T.simulated_voice : "";
    $("btn-mute").setAttribute("aria-pressed", "false");
    $("btn-hangup").disabled = false;
    callStatus(T.caller_connecting);
    clearInterval(timer);
    timer = setInterval(() => { $("call-timer").textContent = mmss((Date.now() - callStarted) / 1000); }, 500);
  });
  socket.on("caller_joined", (data) => {
    if (data.call_id !== callId) return;
    callStatus(T.caller_connected);
  });
  socket.on("bridge_failed", (data) => {
    finished.add(data.call_id);
    if (callId && data.call_id !== callId) return;
    endCallPanel(false);
    const reason = {carrier: T.bridge_failed_carrier, caller_gone: T.bridge_failed_caller_gone,
                    timeout: T.bridge_failed_timeout}[data.reason] || T.bridge_failed;
    notify(reason + " " + T.bridge_failed_after);
  });
  function startWrapUp(seconds) {
    let left = Number(seconds) || Number(root.dataset.wrapUp) || 0;
    $("wrapup-timer").textContent = mmss(left);
    clearInterval(wrapTimer);
    wrapTimer = setInterval(() => { left -= 1; $("wrapup-timer").textContent = mmss(left); }, 1000);
  }
  // They talked with the caller before the line dropped: the record stays for the wrap-up.
  socket.on("call_handed_on", (data) => {
    finished.add(data.call_id);
    if (callId && data.call_id !== callId) return;
    endCallPanel(true);
    notify(T.handed_on);
    startWrapUp(data.wrap_up_seconds);
  });
  socket.on("call_ended", (data) => {
    if (data.call_id) finished.add(data.call_id);
    if (callId && data.call_id && data.call_id !== callId) return;
    endCallPanel(true);
    if (data.reason === "caller_lost") notify(T.call_caller_lost);
    startWrapUp(data.wrap_up_seconds);
  });
  // Hanging up is always possible during a call, also while the psychologist's audio is lost.
  $("btn-hangup").addEventListener("click", async () => {
    if (!callId || hangUpPending) return;
    hangUpPending = true; $("btn-hangup").disabled = true;
    const before = $("call-status").textContent;
    callStatus(T.hanging_up);
    const reply = await emit("hang_up", {call_id: callId});
    hangUpPending = false; $("btn-hangup").disabled = false;
    if (!reply.ok) callStatus(before);
  });
  $("btn-mute").addEventListener("click", (e) => {
    const muted = e.currentTarget.getAttribute("aria-pressed") !== "true";
    e.currentTarget.setAttribute("aria-pressed", String(muted));
    if (voice.call) voice.call.mute(muted);
  });

  // ---- the psychologist's audio dropped while the caller waits: rejoin within the time given
  let legLost = null;   // {callId, deadline, ticker}
  function hideLegLost() {
    if (legLost) clearInterval(legLost.ticker);
    legLost = null; rejoinPending = false;
    $("leg-lost").hidden = true;
    $("leg-lost-text").textContent = ""; $("leg-lost-status").textContent = "";
  }
  function tickLegLost() {
    if (!legLost) return;
    const left = (legLost.deadline - Date.now()) / 1000;
    $("leg-lost-timer").textContent = mmss(left);
    if (left <= 0) {
      clearInterval(legLost.ticker);
      if (!rejoinPending) $("leg-lost-status").textContent = T.leg_lost_time_up;
    }
  }
  socket.on("agent_leg_lost", (data) => {
    if (callId && data.call_id !== callId) return;
    callId = data.call_id;
    dropVoice();
    hideLegLost(); notify("");
    $("call").hidden = false;
    legLost = {callId: data.call_id, deadline: Date.now() + Math.max(0, Number(data.rejoin_seconds) || 0) * 1000};
    $("leg-lost").hidden = false;
    $("leg-lost-text").textContent = T.leg_lost;   // set while visible: the alert is announced
    $("btn-rejoin").disabled = false;
    callStatus("");
    tickLegLost();
    legLost.ticker = setInterval(tickLegLost, 1000);   // no focus move: they may be typing notes
  });
  function rejoinFailed(message) {
    rejoinPending = false;
    if (!legLost) return;
    $("btn-rejoin").disabled = false;
    $("leg-lost-status").textContent = fmt(T.rejoin_failed, {error: safe(message)});
  }
  function rejoined() {
    hideLegLost();
    callStatus(T.caller_connected);
    notify(T.rejoined);
  }
  $("btn-rejoin").addEventListener("click", async () => {
    if (!legLost || rejoinPending) return;
    const lostCall = legLost.callId;
    rejoinPending = true; $("btn-rejoin").disabled = true;
    $("leg-lost-status").textContent = T.rejoining;
    if (twilioMode) {
      // The audio must be able to come back before the server is asked to take us back.
      try { await freshToken(); } catch (e) { rejoinFailed(readinessText() || describeError(e)); return; }
      if (!deviceReady()) { rejoinFailed(readinessText()); return; }
    }
    const reply = await emit("rejoin", {call_id: lostCall});
    if (!legLost || legLost.callId !== lostCall) return;   // the call ended or moved on meanwhile
    if (!reply.ok) { rejoinFailed(reply.error || T.no_reply); return; }
    if (!twilioMode) { rejoined(); return; }
    if (!reply.join) { rejoinFailed(T.no_join); return; }
    const ok = await connectVoice(reply.join, lostCall, {onAccept: rejoined, onFail: rejoinFailed});
    if (!ok) return;
    $("leg-lost-status").textContent = T.audio_connecting;
  });

  // ---- contact record
  async function post(url, body) {
    const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                                       body: JSON.stringify(body || {})});
    const data = await response.json().catch(() => ({}));
    return {ok: response.ok, data};
  }
  $("record-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!callId) return;
    const form = e.currentTarget;
    const checked = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map((i) => i.value);
    const body = {
      caller_type: form.caller_type.value, age_band: form.age_band.value, gender: form.gender.value,
      topics: checked("topics"), risk_level: form.risk_level.value, consent: form.consent.value,
      referrals: checked("referrals"), follow_up_needed: form.follow_up_needed.checked,
      follow_up_due: form.follow_up_due.value, notes: form.notes.value,
    };
    const {ok, data} = await post(`/console/calls/${callId}/record`, body);
    $("record-status").textContent = ok ? T.saved + (data.escalation_id ? " · " + T.escalated : "") : data.error;
    $("record-status").className = ok ? "ok" : "error";
  });
  $("btn-danger").addEventListener("click", async () => {
    if (!callId || !window.confirm(T.confirm_danger)) return;
    const {ok, data} = await post(`/console/calls/${callId}/escalate`);
    $("record-status").textContent = ok ? T.escalated : data.error;
  });

  // ---- voice (Twilio Voice SDK, only with the real carrier)
  // Ready = the SDK is set up, the last token fetch worked and its token is within its TTL, no device
  // error is outstanding, the computer is online and the microphone is not blocked. The Device is not
  // registered for incoming calls (the token allows none): it dials out to join the conference.
  const TOKEN_MARGIN_MS = 60000, RETRY_MS = 15000;
  const voice = {device: null, call: null, settingUp: false, unsupported: false, tokenError: null,
                 deviceError: null, micBlocked: false, tokenAt: 0, tokenExpiresAt: 0,
                 refreshTimer: null, recoverTimer: null};

  function describeError(err) {
    if (!err) return "";
    const words = err.description && err.description !== "Unknown Error"
      ? err.description : (err.message || String(err));
    return err.code ? fmt(T.device_error, {message: safe(words), code: err.code}) : safe(words);
  }
  function tokenValid() { return voice.tokenExpiresAt - Date.now() > TOKEN_MARGIN_MS; }
  function deviceReady() {
    if (!twilioMode) return true;
    return !readinessText();
  }
  // Why the audio is not ready, in words (empty when it is).
  function readinessText() {
    if (!twilioMode) return "";
    if (!navigator.onLine) return T.device_offline;
    if (voice.unsupported) return T.device_unsupported;
    if (voice.micBlocked) return T.device_mic_blocked;
    if (voice.tokenError) return fmt(T.device_token_failed, {detail: voice.tokenError}) + " " + T.device_retrying;
    if (voice.deviceError) return voice.deviceError + " " + T.device_retrying;
    if (!voice.device || voice.settingUp || !tokenValid()) return T.device_setting_up;
    return "";
  }
  function updateReadiness() {
    const reason = readinessText();
    $("accept-reason").textContent = reason;
    $("btn-accept").disabled = acceptPending || !!reason;
    $("btn-decline").disabled = acceptPending;
    const status = $("device-status");
    if (status) {
      status.textContent = reason || T.device_ready;
      status.dataset.ready = String(!reason);
    }
  }

  async function fetchToken() {
    let response;
    try {
      response = await fetch("/console/voice-token", {credentials: "same-origin", cache: "no-store",
                                                     headers: {"Accept": "application/json"}});
    } catch (e) { throw new Error(e.message || "network"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok || typeof data.token !== "string") throw new Error(data.error || "HTTP " + response.status);
    return {token: data.token, ttl: Number(data.ttl) || 600};
  }
  // A fresh token from the server, handed to the Device. A token younger than maxAgeMs is reused.
  // If the fetch fails, a token still well within its TTL may serve; an older one never does.
  async function freshToken(maxAgeMs) {
    if (maxAgeMs && voice.device && Date.now() - voice.tokenAt < maxAgeMs && tokenValid()) return voice.device.token;
    try {
      const {token, ttl} = await fetchToken();
      voice.tokenAt = Date.now();
      voice.tokenExpiresAt = voice.tokenAt + ttl * 1000;
      voice.tokenError = null;
      if (voice.device && voice.device.state !== "destroyed") voice.device.updateToken(token);
      scheduleRefresh(Math.max(RETRY_MS, ttl * 1000 - 2 * TOKEN_MARGIN_MS));
      return token;
    } catch (e) {
      voice.tokenError = safe(e.message);
      scheduleRefresh(RETRY_MS);
      if (voice.device && tokenValid()) return voice.device.token;
      throw e;
    } finally {
      updateReadiness();
    }
  }
  function scheduleRefresh(ms) {
    clearTimeout(voice.refreshTimer);
    voice.refreshTimer = setTimeout(() => (voice.device ? freshToken() : setupDevice()).catch(() => null), ms);
  }
  // After a device error: try again a little later; a fresh token and no new error is ready again.
  function recoverSoon(ms) {
    clearTimeout(voice.recoverTimer);
    voice.recoverTimer = setTimeout(async () => {
      if (!voice.device) { setupDevice(); return; }
      if (voice.call) { recoverSoon(RETRY_MS); return; }   // not while our leg is up: look again later
      const before = voice.deviceError;
      try { await freshToken(); } catch (e) { recoverSoon(RETRY_MS); return; }
      if (voice.deviceError === before) voice.deviceError = null;
      updateReadiness();
    }, ms === undefined ? RETRY_MS : ms);
  }

  async function setupDevice() {
    if (!twilioMode || voice.device || voice.settingUp) return;
    if (!window.Twilio || !Twilio.Device || (Twilio.Device.isSupported === false)) {
      voice.unsupported = true; updateReadiness(); return;
    }
    voice.settingUp = true; updateReadiness();
    try {
      const token = await freshToken();
      const device = new Twilio.Device(token, {closeProtection: true, tokenRefreshMs: TOKEN_MARGIN_MS});
      device.on("tokenWillExpire", () => { freshToken().catch(() => null); });
      device.on("error", (err) => {
        voice.deviceError = describeError(err);
        updateReadiness();
        if (callId && !legLost) showError(voice.deviceError);
        recoverSoon();
      });
      device.on("destroyed", () => {
        if (voice.device === device) { voice.device = null; voice.call = null; }
        updateReadiness(); recoverSoon();
      });
      voice.device = device;
      voice.deviceError = null;
    } catch (e) {
      if (e && e.name === "NotSupportedError") voice.unsupported = true;
      else if (!voice.tokenError) { voice.deviceError = describeError(e); recoverSoon(); }
    } finally {
      voice.settingUp = false; updateReadiness();
    }
  }

  function audioStatus(text) { const el = $("audio-status"); if (el) el.textContent = text || ""; }
  // Hang up our own leg on purpose (the call ended, or a new leg replaces it): no notices from it.
  function dropVoice() {
    const call = voice.call;
    voice.call = null;
    audioStatus("");
    if (call) { call.__dropped = true; try { call.disconnect(); } catch (e) { /* already gone */ } }
  }
  // Join the call's conference with a token fetched just now. True when the SDK placed the leg.
  async function connectVoice(join, forCall, hooks) {
    hooks = hooks || {};
    const fail = (message) => {
      audioStatus(fmt(T.audio_failed, {error: message}));
      if (hooks.onFail) hooks.onFail(message); else showError(fmt(T.audio_failed, {error: message}));
    };
    if (!voice.device) { fail(readinessText() || T.device_setting_up); return false; }
    dropVoice();
    audioStatus(T.audio_connecting);
    let call;
    try {
      await freshToken(10000);   // at most seconds old, never past its TTL
      if (finished.has(forCall)) return false;
      call = await voice.device.connect({params: {join}});
    } catch (e) {
      fail(describeError(e) || readinessText());
      return false;
    }
    if (finished.has(forCall)) {   // the call ended while the leg was being placed
      call.__dropped = true; try { call.disconnect(); } catch (e) { /* gone */ }
      audioStatus("");
      return false;
    }
    voice.call = call;
    call.mute($("btn-mute").getAttribute("aria-pressed") === "true");
    let accepted = false;
    call.on("accept", () => {
      accepted = true; audioStatus(T.audio_connected);
      if (hooks.onAccept) hooks.onAccept();
    });
    call.on("reconnecting", () => { if (!call.__dropped) audioStatus(T.audio_reconnecting); });
    call.on("reconnected", () => { if (!call.__dropped) audioStatus(T.audio_connected); });
    call.on("error", (err) => {
      if (call.__dropped) return;
      const message = describeError(err);
      if (!accepted) fail(message); else showError(message);
    });
    call.on("disconnect", () => {
      if (voice.call === call) voice.call = null;
      if (call.__dropped) return;
      audioStatus(T.audio_disconnected);   // the server tells us what happens next (agent_leg_lost)
      if (!accepted && hooks.onFail) hooks.onFail(T.audio_disconnected);
    });
    return true;
  }

  if (twilioMode) {
    window.addEventListener("online", () => {
      updateReadiness();
      if (voice.tokenError || voice.deviceError) recoverSoon(0);
    });
    window.addEventListener("offline", updateReadiness);
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({name: "microphone"}).then((permission) => {
        const apply = () => { voice.micBlocked = permission.state === "denied"; updateReadiness(); };
        apply(); permission.onchange = apply;
      }).catch(() => { /* the browser cannot say: the call will ask */ });
    }
  }
  updateReadiness();
  setupDevice().catch((e) => { voice.deviceError = describeError(e); updateReadiness(); });
})();
