// The psychologist's console: presence, offers, the call, the contact record, and (with the real
// carrier) the browser's audio leg through the Twilio Voice SDK.
//
// Server -> console on /console: presence {state, reason?} (reason "missed_ring" with rang_seconds:
// put on Break by a ring not answered), duty {on_duty} (while Available), offer,
// offer_withdrawn {offer_id, reason},
// call_connected, caller_joined {call_id}, bridge_failed {call_id, reason},
// agent_leg_lost {call_id, rejoin_seconds}, call_handed_on {call_id}, call_ended, shift_reminder,
// signed_out / session_ended (the sign-in session ended: the console says so and stops).
// Console -> server (each with a reply {ok, error?}): set_state, accept {offer_id, device_ready},
// decline, rejoin {call_id} (-> {ok, join}), hang_up {call_id}, heartbeat (-> {ok, on_duty?}).
// offer_alert.js makes offers and missed rings impossible to miss (title, desktop alert, focus).
//
// "Connected" is shown only when it is true: the caller has joined (caller_joined) and, with the
// real carrier, this browser's own audio leg is connected too.
//
// On (re)connecting, the server sends presence and then, if its person is on a call or in its
// wrap-up, that call again: call_connected, then agent_leg_lost (time left), caller_joined or
// call_ended (wrap-up time left). After a reload the call panel, Rejoin and the contact record come
// back from these; the record is filled from what was saved on the server (GET .../record), or from
// the draft kept there as one types. The contact record form itself is record.js's
// (window.contactRecord); unsaved notes are confidential and never kept in the browser.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const root = document.querySelector(".console");
  const carrier = root.dataset.carrier;
  const twilioMode = carrier === "twilio";
  const $ = (id) => document.getElementById(id);
  const stateEl = $("my-state"), errorEl = $("console-error");
  const REPLY_TIMEOUT_MS = 10000, CONNECT_WAIT_MS = 5000;
  const HANG_UP_CONFIRM_MS = 5000;    // an accepted hang-up is followed by call_ended within this
  const REJOIN_CONFIRM_MS = 15000;    // a simulated rejoin is confirmed by caller_joined within this
  const RESYNC_MS = 2000;             // the call re-sent on (re)connecting arrives right after presence
  const CALL_STATES = new Set(["on_call", "wrap_up"]);
  let offer = null, callId = null, shownCall = null, callStarted = null, timer = null, wrapTimer = null;
  let acceptPending = false, declinePending = false, rejoinPending = false;
  let hangingUp = null;   // the call being hung up, until call_ended (or the wait for it ends)
  const finished = new Set();   // calls that failed, moved on or ended: never (re)connect audio to them
  const joinedCalls = new Set();   // calls whose caller reached the conference (caller_joined)
  // This browser's audio leg (real carrier): none, connecting, connected, failed, disconnected, dropped.
  let voiceLeg = {callId: null, state: "none"};

  const record = window.contactRecord;
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
  // quiet: the caller shows a refusal itself, next to the button that was pressed.
  async function emit(event, data, quiet) {
    if (!(await connected(CONNECT_WAIT_MS))) { if (!quiet) showError(T.lost); return {ok: false, error: T.lost}; }
    return new Promise((resolve) => socket.timeout(REPLY_TIMEOUT_MS).emit(event, data || {}, (err, reply) => {
      if (err) reply = {ok: false, error: socket.connected ? T.no_reply : T.lost};
      if (reply && reply.signed_out) stopSignedOut();
      if (!reply || !reply.ok) { if (!quiet) showError(reply ? reply.error || T.no_reply : T.lost); } else {
        showError("");
        if (event !== "heartbeat") actedNow();        // the person's action reached the server
      }
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

  // ---- idle sign-out: the console's own heartbeats and refreshes do not count as the person's
  // activity, so a console left alone signs out and gets no calls. Typing or clicking on it does:
  // it is told to the server at most every few minutes. Five minutes before the end the
  // console asks "Still there?" (sound, title, a focused button) so nobody is signed out unawares.
  const IDLE_MS = (Number(root.dataset.idleMinutes) || 30) * 60000;
  const WARN_MS = Math.min(5 * 60000, IDLE_MS / 2), PING_MS = Math.min(4 * 60000, IDLE_MS / 3);
  let lastToldServer = Date.now(), lastTouched = 0, askingStillHere = false;
  const pageTitle = document.title;
  function actedNow() { lastToldServer = Date.now(); hideStillHere(); }
  function hideStillHere() {
    if (!askingStillHere) return;
    askingStillHere = false; $("still-here").hidden = true; document.title = pageTitle;
  }
  async function tellStillHere() {
    const {ok} = await post("/account/still-here");
    if (ok) actedNow();
  }
  ["keydown", "pointerdown", "input"].forEach((type) => document.addEventListener(type, () => {
    lastTouched = Date.now();
  }, {capture: true, passive: true}));
  setInterval(() => {
    if (signedOut) return;
    const now = Date.now();
    if (lastTouched > lastToldServer && now - lastToldServer >= PING_MS) { tellStillHere(); return; }
    if (!askingStillHere && now - lastToldServer >= IDLE_MS - WARN_MS) {
      askingStillHere = true;
      const minutes = Math.max(1, Math.round((IDLE_MS - (now - lastToldServer)) / 60000));
      $("still-here-text").textContent = T.still_here.replace("{minutes}", minutes);
      $("still-here").hidden = false;
      document.title = T.still_here_title + " · " + pageTitle;
      $("btn-still-here").focus();
      ring(true); setTimeout(() => { if (!offer) ring(false); }, 2500);
    }
  }, 15000);
  $("btn-still-here").addEventListener("click", tellStillHere);

  // ---- presence
  // The first presence after (re)connecting is the server's word on where this person stands; the
  // call events right after it re-send the call they are on (resync), not something new.
  let atConnect = true, resync = null, resyncTimer = null;   // resync: {state} while it lasts
  function endResync() { clearTimeout(resyncTimer); resync = null; }
  // Call events re-sent although presence says no call (a closed call the server still remembers).
  function staleResend() { return resync !== null && !CALL_STATES.has(resync.state); }
  // ---- signed out (here or elsewhere, revoked, idle or too old): say so and stop for good; the
  // server refuses this connection's events anyway, and offers no more calls to it.
  let signedOut = false;
  function stopSignedOut() {
    if (signedOut) return;
    signedOut = true;
    socket.io.opts.reconnection = false;
    socket.disconnect();
    stateEl.textContent = T.offline;
    $("btn-available").disabled = true; $("btn-break").disabled = true;
    showError(T.signed_out);
    notify(T.signed_out);
  }
  socket.on("signed_out", stopSignedOut);
  socket.on("session_ended", stopSignedOut);
  // a connection the server refuses (no live session) is not retried by Socket.IO
  socket.on("connect_error", () => { if (!socket.active) stopSignedOut(); });

  socket.on("connect", () => { showError(""); updateReadiness(); });
  socket.on("disconnect", (reason) => {
    if (signedOut || reason === "io server disconnect") { stopSignedOut(); return; }
    showError(T.lost); stateEl.textContent = T.offline; atConnect = true; endResync();
    $("btn-available").disabled = true; $("btn-break").disabled = true;   // until the server answers again
  });
  socket.on("presence", (data) => {
    const first = atConnect;
    atConnect = false;
    setState(data.state);
    if (first) {
      endResync();
      resync = {state: data.state};
      resyncTimer = setTimeout(endResync, RESYNC_MS);
      // No call any more (it ended while this screen was away): the record stays to be finished.
      if (!CALL_STATES.has(data.state) && callId && !finished.has(callId) && !$("call").hidden) {
        finished.add(callId);
        endCallPanel(true);
      }
    }
    if (data.state === "on_call" && data.call_id) confirmRejoin(data.call_id);
  });
  socket.on("shift_reminder", (data) => {
    const at = new Date(data.starts_at).toLocaleTimeString([], {timeZone: "Asia/Almaty", hour: "2-digit", minute: "2-digit"});
    showError(T.shift_reminder + " " + at);
  });
  setInterval(() => {
    if (socket.connected) socket.emit("heartbeat", {}, (reply) => { if (window.offerAlert) window.offerAlert.duty(reply); });
  }, 10000);
  // Refused while the last call's record is unsaved: the choice is offered (record.js), and
  // "Save later" asks again.
  async function goAvailable() {
    const reply = await emit("set_state", {state: "available"}, true);
    if (!reply.ok && !record.refused(reply, goAvailable)) showError(reply.error || T.no_reply);
  }
  $("btn-available").addEventListener("click", goAvailable);
  $("btn-break").addEventListener("click", () => emit("set_state", {state: "break"}));

  // ---- offers
  let ringCtx = null, ringTimer = null;
  function ring(on) {
    clearInterval(ringTimer);
    if (!on) return;
    try {
      soundReady();
      const beep = () => {
        const osc = ringCtx.createOscillator(), gain = ringCtx.createGain();
        osc.frequency.value = 660; gain.gain.value = 0.08;
        osc.connect(gain); gain.connect(ringCtx.destination);
        osc.start(); osc.stop(ringCtx.currentTime + 0.35);
      };
      beep(); ringTimer = setInterval(beep, 1500);
    } catch (e) { /* no audio: the banner is enough */ }
  }
  function offerError(text) { $("offer-error").textContent = safe(text); }
  function closeOffer() {
    $("offer").hidden = true; ring(false); offer = null; offerError("");
    if (window.offerAlert) window.offerAlert.closed();
  }
  // A browser starts sound only after the person has touched the page: the first key or click
  // (Available, "Allow desktop alerts") prepares the ring, so a later offer is heard.
  function soundReady() {
    ringCtx = ringCtx || new (window.AudioContext || window.webkitAudioContext)();
    if (ringCtx.state === "suspended") ringCtx.resume().catch(() => null);
  }
  ["pointerdown", "keydown"].forEach((type) => document.addEventListener(type, () => {
    try { soundReady(); } catch (e) { /* no audio: the banner and the title remain */ }
  }, {once: true, capture: true}));
  socket.on("offer", (data) => {
    endResync();
    offer = data;
    offerError("");
    $("offer-language").textContent = T[data.language] || data.language || "—";
    $("offer-caller").textContent = T[data.caller_type || "unknown"];
    $("offer-wait").textContent = mmss(data.waited_seconds);
    $("offer-centre").textContent = data.centre + (data.is_backup ? " " + T.national_backup : "");
    $("offer-urgent").hidden = !data.is_urgent;
    $("offer").classList.toggle("is-urgent", !!data.is_urgent);
    if (window.callerHistory) window.callerHistory.offer(data);
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
      offerError("");
      const reply = await emit("accept", {offer_id: current.offer_id, device_ready: deviceReady()});
      // the last call's record first: the offer rings on while she chooses
      if (record.refused(reply, () => { if (offer === current) $("btn-accept").click(); })) return;
      if (offer === current) closeOffer();
      // The bridge may already have failed (bridge_failed can overtake this reply).
      if (!reply.ok) {
        // No answer, yet the call did reach this console (call_connected): no audio leg was placed.
        if (twilioMode && callId && callId === shownCall && !finished.has(callId) && voiceLeg.callId !== callId) {
          voiceFailed(callId, reply.error || T.no_reply);
        }
        return;
      }
      if (finished.has(reply.call_id)) return;
      if (reply.call_id) callId = reply.call_id;
      if (twilioMode) {
        const taken = reply.call_id;
        if (!reply.join) { voiceFailed(taken, T.no_join); return; }
        await connectVoice(reply.join, taken, {
          onAccept: updateCallStatus,
          onFail: (message) => voiceFailed(taken, message),
        });
      }
    } finally {
      acceptPending = false; updateReadiness();
    }
  });
  // A refused decline leaves the offer ringing: it stays on screen with the reason.
  $("btn-decline").addEventListener("click", async () => {
    if (!offer || declinePending) return;
    const current = offer;
    declinePending = true; offerError("");
    try {
      const reply = await emit("decline", {offer_id: current.offer_id}, true);
      if (offer !== current) return;          // withdrawn or replaced meanwhile
      if (reply.ok) closeOffer();
      else offerError(fmt(T.decline_failed, {error: reply.error || T.no_reply}));
    } finally {
      declinePending = false;
    }
  });

  // ---- the call
  function callStatus(text) { $("call-status").textContent = text || ""; }
  function callError(text) { $("call-error").textContent = safe(text); }
  // What the call panel says about the connection, from what is known to be true.
  function updateCallStatus() {
    if (!callId || finished.has(callId) || hangingUp === callId) return;
    const joined = joinedCalls.has(callId);
    if (!twilioMode) { callStatus(legLost ? "" : joined ? T.caller_connected : T.caller_connecting); return; }
    if (legLost && legLost.deadline !== null) { callStatus(""); return; }   // the dropped-line panel says it
    const audio = voiceLeg.callId === callId ? voiceLeg.state : "none";
    if (!joined) callStatus(T.caller_connecting);
    else if (audio === "connected") callStatus(T.caller_connected);
    else if (audio === "none" || audio === "connecting") callStatus(T.caller_on_line_audio_connecting);
    else callStatus(T.caller_on_line_no_audio);
  }
  function endCallPanel(keepRecord) {
    clearInterval(timer);
    hangingUp = null;
    hideLegLost();
    callError("");
    $("call").hidden = true;
    if (!keepRecord) { $("record").hidden = true; record.reset(); record.setCall(null); }
    dropVoice();
    callStatus("");
    if (!keepRecord) callId = null;
  }
  // When the call began, for a call shown again after a reload (the browser's clock, so roughly).
  function startedAt(answeredAt) {
    const at = Date.parse(answeredAt || ""), now = Date.now();
    return Number.isFinite(at) && now - at < 12 * 3600 * 1000 ? Math.min(at, now) : now;
  }
  socket.on("call_connected", (data) => {
    if (staleResend()) return;
    // Answered here or in another tab of the same person: no tab keeps ringing beside the call.
    if (offer) closeOffer();
    const resumed = resync !== null;   // re-sent on (re)connecting: a call already under way
    // The same call again while it is on screen (e.g. back after a rejoin): keep the notes.
    if (data.call_id === shownCall && !$("call").hidden) {
      if (!confirmRejoin(data.call_id)) updateCallStatus();
      return;
    }
    // Back after a lost connection with this call's record still on screen: keep what is typed.
    const keepRecord = data.call_id === shownCall && !$("record").hidden;
    callId = data.call_id; shownCall = data.call_id; hangingUp = null;
    callStarted = resumed ? startedAt(data.answered_at) : Date.now();
    // Our audio may already have failed for this call (the accept reply can overtake this event).
    if (!(legLost && legLost.callId === data.call_id && legLost.deadline === null)) hideLegLost();
    notify(""); showError(""); callError("");
    // In its wrap-up (call_ended follows) only the record comes back, never Hang up for a moment.
    $("call").hidden = resumed && resync.state === "wrap_up"; $("record").hidden = false;
    if (!keepRecord) record.reset();
    record.setCall(data.call_id);
    if (!keepRecord) {
      if (data.caller_type) $("r-caller").value = data.caller_type;
      if (resumed) record.load(data.call_id);   // what was saved (or drafted) before the reload
    }
    $("call-facts").textContent = [T[data.language] || "", T[data.caller_type || "unknown"], data.centre].join(" · ");
    if (window.callerHistory) window.callerHistory.call(data);
    $("voice-note").textContent = carrier === "simulated" ? T.simulated_voice : "";
    $("btn-mute").setAttribute("aria-pressed", "false");
    $("btn-hangup").disabled = false;
    updateCallStatus();
    clearInterval(timer);
    const tick = () => { $("call-timer").textContent = mmss((Date.now() - callStarted) / 1000); };
    tick();
    timer = setInterval(tick, 500);
    // A reload hung up this browser's audio leg (real carrier): offer Rejoin unless the server
    // says more meanwhile (the line dropped, or the call is in its wrap-up).
    if (resumed && twilioMode) setTimeout(() => audioAfterResume(data.call_id), RESYNC_MS);
  });
  function audioAfterResume(forCall) {
    if (callId !== forCall || finished.has(forCall) || legLost || hangingUp === forCall || $("call").hidden) return;
    if (voiceLeg.callId === forCall && (voiceLeg.state === "connecting" || voiceLeg.state === "connected")) return;
    voiceLeg = {callId: forCall, state: "none"};
    showRejoin(forCall, T.audio_not_connected, null);
    updateCallStatus();
  }
  socket.on("caller_joined", (data) => {
    if (staleResend()) return;
    const resumed = resync !== null;
    endResync();
    joinedCalls.add(data.call_id);
    if (data.call_id !== callId) return;
    if (confirmRejoin(data.call_id)) return;
    // Back after a lost connection: the server says the line is up again, whatever this screen
    // last knew (a rejoin confirmed while it was away).
    if (resumed && legLost && legLost.callId === data.call_id && legLost.deadline !== null) { rejoined(); return; }
    updateCallStatus();
  });
  socket.on("bridge_failed", (data) => {
    finished.add(data.call_id);
    if (callId && data.call_id !== callId) return;
    endCallPanel(false);
    const reason = {carrier: T.bridge_failed_carrier, caller_gone: T.bridge_failed_caller_gone,
                    timeout: T.bridge_failed_timeout}[data.reason] || T.bridge_failed;
    notify(reason + " " + T.bridge_failed_after);
  });
  // seconds: the wrap-up time left as the server says (0 included); none said: the whole of it.
  function startWrapUp(seconds) {
    let left = seconds === undefined || seconds === null || !Number.isFinite(Number(seconds))
      ? Number(root.dataset.wrapUp) || 0 : Number(seconds);
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
    if (staleResend()) return;
    endResync();
    if (data.call_id) finished.add(data.call_id);
    if (callId && data.call_id && data.call_id !== callId) return;
    // The register lost the caller, yet our audio is up: they may still be talking. Their leg is
    // not cut from here; the panel stays so they can hang up themselves.
    const ended = callId || data.call_id;
    const audioUp = twilioMode && data.reason === "caller_lost" && voice.call && !$("call").hidden
      && voiceLeg.callId === ended && voiceLeg.state === "connected" && hangingUp !== ended;
    if (audioUp) {
      clearInterval(timer); hideLegLost(); callError("");
      callStatus("");
      $("btn-hangup").disabled = false;
      notify(T.call_caller_lost_audio_on);
    } else {
      endCallPanel(true);
      if (data.reason === "caller_lost") notify(T.call_caller_lost);
      if (data.reason === "caller_left_while_disconnected") notify(T.call_caller_left_while_disconnected);
    }
    startWrapUp(data.wrap_up_seconds);
  });
  // Hanging up is always possible during a call, also while the psychologist's audio is lost.
  $("btn-hangup").addEventListener("click", async () => {
    if (!callId || hangingUp === callId) return;
    const ending = callId;
    if (finished.has(ending)) { endCallPanel(true); return; }   // over on the line: only our own leg is left
    hangingUp = ending; $("btn-hangup").disabled = true;
    callError("");
    callStatus(T.hanging_up);
    const reply = await emit("hang_up", {call_id: ending}, true);
    if (finished.has(ending) || callId !== ending) return;   // call_ended came first: nothing to add
    if (!reply.ok) {
      hangingUp = null;
      $("btn-hangup").disabled = false;
      updateCallStatus();
      callError(fmt(T.hang_up_failed, {error: reply.error || T.no_reply}));
      return;
    }
    // Closed on the server; call_ended should follow. If it does not, do not wait for ever.
    setTimeout(() => {
      if (finished.has(ending) || callId !== ending) return;
      finished.add(ending);
      endCallPanel(true);
      notify(T.hang_up_unconfirmed);
      if (stateEl.dataset.state === "wrap_up") startWrapUp();
    }, HANG_UP_CONFIRM_MS);
  });
  $("btn-mute").addEventListener("click", (e) => {
    const muted = e.currentTarget.getAttribute("aria-pressed") !== "true";
    e.currentTarget.setAttribute("aria-pressed", String(muted));
    if (voice.call) voice.call.mute(muted);
  });

  // ---- the psychologist's audio dropped while the caller waits: rejoin within the time given
  // The same panel serves when our audio leg failed or was never placed (real carrier): then the
  // server set no deadline, and Rejoin places the leg again.
  let legLost = null;   // {callId, deadline (null: none announced), ticker, awaiting, confirmTimer}
  function hideLegLost() {
    if (legLost) { clearInterval(legLost.ticker); clearTimeout(legLost.confirmTimer); }
    legLost = null; rejoinPending = false;
    $("leg-lost").hidden = true;
    $("leg-lost-text").textContent = ""; $("leg-lost-status").textContent = "";
  }
  function tickLegLost() {
    if (!legLost || legLost.deadline === null) return;
    const left = (legLost.deadline - Date.now()) / 1000;
    $("leg-lost-timer").textContent = mmss(left);
    if (left <= 0) {
      clearInterval(legLost.ticker);
      if (!rejoinPending && !legLost.awaiting) $("leg-lost-status").textContent = T.leg_lost_time_up;
    }
  }
  function showRejoin(forCall, text, rejoinSeconds) {
    hideLegLost();
    $("call").hidden = false;
    const deadline = rejoinSeconds === null ? null : Date.now() + Math.max(0, Number(rejoinSeconds) || 0) * 1000;
    legLost = {callId: forCall, deadline, ticker: null, awaiting: false, confirmTimer: null};
    $("leg-lost-countdown").hidden = deadline === null;
    $("leg-lost").hidden = false;
    $("leg-lost-text").textContent = text;   // set while visible: the alert is announced
    $("btn-rejoin").disabled = false;
    if (deadline !== null) {
      tickLegLost();
      legLost.ticker = setInterval(tickLegLost, 1000);   // no focus move: they may be typing notes
    }
  }
  socket.on("agent_leg_lost", (data) => {
    if (staleResend()) return;
    endResync();
    if (callId && data.call_id !== callId) return;
    callId = data.call_id;
    dropVoice();
    notify("");
    // the same news twice (a replay after reconnecting, then the queued event): keep the earlier deadline
    const already = legLost && legLost.callId === data.call_id && legLost.deadline !== null
      && !legLost.awaiting;
    const seconds = already
      ? Math.min(Number(data.rejoin_seconds) || 0, Math.max(0, (legLost.deadline - Date.now()) / 1000))
      : data.rejoin_seconds;
    showRejoin(data.call_id, T.leg_lost, seconds);
    callStatus("");
  });
  // Our own audio leg failed or could not be placed (real carrier): say so, offer Rejoin.
  function voiceFailed(forCall, message) {
    if (finished.has(forCall) || (callId && forCall !== callId)) return;
    voiceLeg = {callId: forCall, state: "failed"};
    if (legLost && legLost.callId === forCall && legLost.deadline !== null) return;   // already in hand
    showRejoin(forCall, T.audio_not_connected, null);
    $("leg-lost-status").textContent = fmt(T.audio_failed, {error: safe(message)});
    updateCallStatus();
  }
  function rejoinFailed(message) {
    rejoinPending = false;
    if (!legLost) return;
    legLost.awaiting = false; clearTimeout(legLost.confirmTimer);
    $("btn-rejoin").disabled = false;
    $("leg-lost-status").textContent = fmt(T.rejoin_failed, {error: safe(message)});
  }
  function rejoined() {
    const dropped = legLost && legLost.deadline !== null;   // the server had announced the drop
    hideLegLost();
    if (twilioMode) updateCallStatus(); else callStatus(T.caller_connected);
    if (dropped) notify(T.rejoined);
  }
  // Simulated carrier: the server took the rejoin; we are back only when the line says so.
  function awaitRejoin(forCall) {
    legLost.awaiting = true;
    $("leg-lost-status").textContent = T.rejoining;
    clearTimeout(legLost.confirmTimer);
    legLost.confirmTimer = setTimeout(() => {
      if (!legLost || legLost.callId !== forCall || !legLost.awaiting) return;
      rejoinPending = false;                     // still awaiting: a late confirmation counts
      $("btn-rejoin").disabled = false;
      $("leg-lost-status").textContent = T.rejoin_unconfirmed;
    }, REJOIN_CONFIRM_MS);
  }
  // True when this confirms a rejoin we were waiting for.
  function confirmRejoin(forCall) {
    if (!legLost || !legLost.awaiting || legLost.callId !== forCall || forCall !== callId) return false;
    joinedCalls.add(forCall);
    rejoined();
    return true;
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
    if (!twilioMode) { awaitRejoin(lostCall); return; }
    if (!reply.join) { rejoinFailed(T.no_join); return; }
    const ok = await connectVoice(reply.join, lostCall, {onAccept: rejoined, onFail: rejoinFailed});
    if (!ok) return;
    $("leg-lost-status").textContent = T.audio_connecting;
  });

  // ---- requests to the server: only a JSON answer from the server itself counts (record.js)
  async function post(url, body) {
    const reply = await record.send(url, body);
    if (reply.ok) actedNow();
    return reply;
  }
  // "Immediate danger" is never lost quietly: until the server confirms it, the console keeps
  // trying and tells the psychologist whom to reach herself meanwhile.
  const DANGER_RETRY_MS = 5000;
  let supervisorsOnCall = JSON.parse($("supervisors-on-call").textContent || "[]");
  let dangerTimer = null;
  async function refreshSupervisors() {
    try {
      const r = await fetch("/console/supervisors-on-call", {headers: {"Accept": "application/json",
                                                                      "X-Helpline-Background": "1"}});
      if (r.ok && (r.headers.get("Content-Type") || "").includes("application/json")) {
        supervisorsOnCall = (await r.json()).supervisors || supervisorsOnCall;
      }
    } catch (e) { /* keep the names we have */ }
  }
  setInterval(refreshSupervisors, 5 * 60000);
  function dangerStatus(text, kind) {
    const box = $("danger-status");
    box.textContent = text || ""; box.className = "danger-status " + (kind || ""); box.hidden = !text;
  }
  async function escalate(forCall, tries) {
    clearTimeout(dangerTimer);
    const {ok, data} = await post(`/console/calls/${forCall}/escalate`);
    if (ok) {
      dangerStatus(tries > 1 ? T.danger_sent_late.replace("{tries}", tries) : T.escalated, "ok");
      return;
    }
    const names = supervisorsOnCall.length ? supervisorsOnCall.join(", ") : T.danger_anyone;
    dangerStatus(T.danger_not_sent.replace("{error}", data.error || "").replace("{names}", names), "error");
    dangerTimer = setTimeout(() => escalate(forCall, tries + 1), DANGER_RETRY_MS);
  }
  $("btn-danger").addEventListener("click", () => {
    if (!callId || !window.confirm(T.confirm_danger)) return;
    escalate(callId, 1);
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
                                                     headers: {"Accept": "application/json",
                                                               "X-Helpline-Background": "1"}});
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
        if (callId && !(legLost && legLost.deadline !== null)) showError(voice.deviceError);
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
    if (call) voiceLeg = {callId: voiceLeg.callId, state: "dropped"};
    audioStatus("");
    if (call) { call.__dropped = true; try { call.disconnect(); } catch (e) { /* already gone */ } }
  }
  // Join the call's conference with a token fetched just now. True when the SDK placed the leg.
  async function connectVoice(join, forCall, hooks) {
    hooks = hooks || {};
    let failed = false;
    const fail = (message) => {
      if (failed) return;                        // one failure per leg (error, then disconnect)
      failed = true;
      if (voiceLeg.callId === forCall) voiceLeg = {callId: forCall, state: "failed"};
      audioStatus(fmt(T.audio_failed, {error: message}));
      if (hooks.onFail) hooks.onFail(message); else showError(fmt(T.audio_failed, {error: message}));
    };
    dropVoice();
    voiceLeg = {callId: forCall, state: "connecting"};
    if (!voice.device) { fail(readinessText() || T.device_setting_up); return false; }
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
      if (call.__dropped) return;
      accepted = true; audioStatus(T.audio_connected);
      voiceLeg = {callId: forCall, state: "connected"};
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
      if (finished.has(forCall)) {               // the call was over; only our leg was left
        voiceLeg = {callId: forCall, state: "disconnected"};
        if (callId === forCall && !$("call").hidden) endCallPanel(true);
        return;
      }
      if (!accepted) { fail(T.audio_disconnected); return; }
      audioStatus(T.audio_disconnected);   // the server tells us what happens next (agent_leg_lost)
      voiceLeg = {callId: forCall, state: "disconnected"};
      if (callId === forCall) updateCallStatus();   // never "Connected" without our audio
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
  if (window.offerAlert) window.offerAlert.start({socket, emit});   // after the listeners above
  if (window.callHelp) window.callHelp.start({socket});
})();
