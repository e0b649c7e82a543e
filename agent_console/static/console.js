// The psychologist's console: presence, offers, the call, the contact record.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const root = document.querySelector(".console");
  const carrier = root.dataset.carrier;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const stateEl = $("my-state"), errorEl = $("console-error");
  let offer = null, callId = null, callStarted = null, timer = null, wrapTimer = null, device = null, voiceCall = null;

  const socket = io("/console", {transports: ["websocket", "polling"]});

  function showError(message) { errorEl.textContent = message || ""; }
  function mmss(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }
  function emit(event, data) {
    return new Promise((resolve) => socket.emit(event, data || {}, (reply) => {
      if (!reply || !reply.ok) showError(reply ? reply.error : T.lost); else showError("");
      resolve(reply || {ok: false});
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

  // ---- presence
  socket.on("connect", () => showError(""));
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
  });
  socket.on("offer_withdrawn", (data) => {
    if (offer && data.offer_id === offer.offer_id) { offer = null; $("offer").hidden = true; ring(false); }
  });
  $("btn-accept").addEventListener("click", async () => {
    if (!offer) return;
    const current = offer;
    const reply = await emit("accept", {offer_id: current.offer_id});
    $("offer").hidden = true; ring(false); offer = null;
    if (reply.ok && reply.join && device) {
      voiceCall = await device.connect({params: {join: reply.join}});
    }
  });
  $("btn-decline").addEventListener("click", async () => {
    if (!offer) return;
    await emit("decline", {offer_id: offer.offer_id});
    $("offer").hidden = true; ring(false); offer = null;
  });

  // ---- the call
  socket.on("call_connected", (data) => {
    callId = data.call_id; callStarted = Date.now();
    $("call").hidden = false; $("record").hidden = false; $("record-status").textContent = "";
    $("record-form").reset();
    if (data.caller_type) $("r-caller").value = data.caller_type;
    $("call-facts").textContent = [T[data.language] || "", T[data.caller_type || "unknown"], data.centre].join(" · ");
    $("voice-note").textContent = carrier === "simulated" ? T.simulated_voice : "";
    clearInterval(timer);
    timer = setInterval(() => { $("call-timer").textContent = mmss((Date.now() - callStarted) / 1000); }, 500);
  });
  socket.on("call_ended", (data) => {
    clearInterval(timer); $("call").hidden = true;
    if (voiceCall) { voiceCall.disconnect(); voiceCall = null; }
    let left = data.wrap_up_seconds;
    $("wrapup-timer").textContent = mmss(left);
    clearInterval(wrapTimer);
    wrapTimer = setInterval(() => { left -= 1; $("wrapup-timer").textContent = mmss(left); }, 1000);
  });
  $("btn-hangup").addEventListener("click", () => { if (callId) emit("hang_up", {call_id: callId}); });
  $("btn-mute").addEventListener("click", (e) => {
    const muted = e.currentTarget.getAttribute("aria-pressed") !== "true";
    e.currentTarget.setAttribute("aria-pressed", String(muted));
    if (voiceCall) voiceCall.mute(muted);
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
  async function setupDevice() {
    if (carrier !== "twilio" || !window.Twilio) return;
    const fetchToken = async () => (await (await fetch("/console/voice-token")).json()).token;
    device = new Twilio.Device(await fetchToken(), {closeProtection: true});
    device.on("tokenWillExpire", async () => device.updateToken(await fetchToken()));
  }
  setupDevice().catch((e) => showError(e.message));
})();
