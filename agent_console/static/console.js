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
//
// This file holds presence, the call and what the parts share (S, below); the parts are loaded
// before it: console_offer.js (offers, Accept, Decline), console_rejoin.js (the dropped line and
// Rejoin), console_voice.js (the browser's audio with the real carrier), console_idle.js (idle
// sign-out) and console_danger.js ("Immediate danger"). common.js gives mm:ss, times in the
// centre's zone, the ring and posting JSON.
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
  const RESYNC_MS = 2000;             // the call re-sent on (re)connecting arrives right after presence
  const CALL_STATES = new Set(["on_call", "wrap_up"]);
  // What the parts of the console share (console_voice.js, console_rejoin.js read and set it):
  // offer: the offer ringing; callId: the call on screen; shownCall: the call whose panel was last
  // filled; hangingUp: the call being hung up, until call_ended (or the wait for it ends);
  // voiceLeg: this browser's audio leg (real carrier): none, connecting, connected, failed,
  // disconnected, dropped; legLost: {callId, deadline (null: none announced), ticker, awaiting,
  // confirmTimer} while the dropped-line panel is shown.
  const S = {offer: null, callId: null, shownCall: null, hangingUp: null, acceptPending: false,
             rejoinPending: false, voiceLeg: {callId: null, state: "none"}, legLost: null};
  let callStarted = null, timer = null, wrapTimer = null;
  const finished = new Set();   // calls that failed, moved on or ended: never (re)connect audio to them
  const joinedCalls = new Set();   // calls whose caller reached the conference (caller_joined)

  const record = window.contactRecord;
  const socket = io("/console", {transports: ["websocket", "polling"]});
  window.consoleSocket = socket;   // for the scripts that follow (on_the_line.js)

  // ---- small helpers (common.js)
  const {fill: fmt, mmss, localTime, sound} = window.Senim;
  const ring = sound.ring;     // no audio: the banner is enough
  // A browser starts sound only after the person has touched the page: the first key or click
  // (Available, "Allow desktop alerts") prepares the ring, so a later offer is heard.
  sound.prepareOnTouch();
  // Nothing the carrier says may put a call identifier or a phone number on the page.
  function safe(text) {
    return String(text || "").replace(/\b(CA|CF|PN)[0-9a-f]{32}\b/gi, "…").replace(/\+?\d(?:[\s-]?\d){10,}/g, "…");
  }
  function showError(message) { errorEl.textContent = safe(message); }
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

  // ---- presence
  // The first presence after (re)connecting is the server's word on where this person stands; the
  // call events right after it re-send the call they are on (resync), not something new.
  let atConnect = true, resync = null, resyncTimer = null;   // resync: {state} while it lasts
  function endResync() { clearTimeout(resyncTimer); resync = null; }
  // Call events re-sent although presence says no call (a closed call the server still remembers).
  function staleResend() { return resync !== null && !CALL_STATES.has(resync.state); }
  // ---- signed out (here or elsewhere, revoked, idle or too old): say so and stop for good; the
  // server refuses this connection's events anyway, and offers no more calls to it.
  const signOut = window.Senim.endOnSignOut(socket, () => {
    stateEl.textContent = T.offline;
    $("btn-available").disabled = true; $("btn-break").disabled = true;
    showError(T.signed_out);
    notify(T.signed_out);
  });
  const stopSignedOut = signOut.stop;

  socket.on("connect", () => { showError(""); updateReadiness(); });
  socket.on("disconnect", (reason) => {
    if (signOut.ended() || reason === "io server disconnect") { stopSignedOut(); return; }
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
      if (!CALL_STATES.has(data.state) && S.callId && !finished.has(S.callId) && !$("call").hidden) {
        finished.add(S.callId);
        endCallPanel(true);
      }
    }
    if (data.state === "on_call" && data.call_id) confirmRejoin(data.call_id);
  });
  socket.on("shift_reminder", (data) => {
    showError(T.shift_reminder + " " + localTime(data.starts_at));
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

  // ---- the call
  function callStatus(text) { $("call-status").textContent = text || ""; }
  function callError(text) { $("call-error").textContent = safe(text); }
  // What the call panel says about the connection, from what is known to be true.
  function updateCallStatus() {
    if (!S.callId || finished.has(S.callId) || S.hangingUp === S.callId) return;
    const joined = joinedCalls.has(S.callId);
    if (!twilioMode) { callStatus(S.legLost ? "" : joined ? T.caller_connected : T.caller_connecting); return; }
    if (S.legLost && S.legLost.deadline !== null) { callStatus(""); return; }   // the dropped-line panel says it
    const audio = S.voiceLeg.callId === S.callId ? S.voiceLeg.state : "none";
    if (!joined) callStatus(T.caller_connecting);
    else if (audio === "connected") callStatus(T.caller_connected);
    else if (audio === "none" || audio === "connecting") callStatus(T.caller_on_line_audio_connecting);
    else callStatus(T.caller_on_line_no_audio);
  }
  function endCallPanel(keepRecord) {
    clearInterval(timer);
    S.hangingUp = null;
    hideLegLost();
    callError("");
    $("call").hidden = true;
    if (!keepRecord) { $("record").hidden = true; record.reset(); record.setCall(null); }
    dropVoice();
    callStatus("");
    if (!keepRecord) S.callId = null;
  }
  // When the call began, for a call shown again after a reload (the browser's clock, so roughly).
  function startedAt(answeredAt) {
    const at = Date.parse(answeredAt || ""), now = Date.now();
    return Number.isFinite(at) && now - at < 12 * 3600 * 1000 ? Math.min(at, now) : now;
  }
  socket.on("call_connected", (data) => {
    if (staleResend()) return;
    // Answered here or in another tab of the same person: no tab keeps ringing beside the call.
    if (S.offer) closeOffer();
    const resumed = resync !== null;   // re-sent on (re)connecting: a call already under way
    // The same call again while it is on screen (e.g. back after a rejoin): keep the notes.
    if (data.call_id === S.shownCall && !$("call").hidden) {
      if (!confirmRejoin(data.call_id)) updateCallStatus();
      return;
    }
    // Back after a lost connection with this call's record still on screen: keep what is typed.
    const keepRecord = data.call_id === S.shownCall && !$("record").hidden;
    S.callId = data.call_id; S.shownCall = data.call_id; S.hangingUp = null;
    callStarted = resumed ? startedAt(data.answered_at) : Date.now();
    // Our audio may already have failed for this call (the accept reply can overtake this event).
    if (!(S.legLost && S.legLost.callId === data.call_id && S.legLost.deadline === null)) hideLegLost();
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
    if (S.callId !== forCall || finished.has(forCall) || S.legLost || S.hangingUp === forCall || $("call").hidden) return;
    if (S.voiceLeg.callId === forCall && (S.voiceLeg.state === "connecting" || S.voiceLeg.state === "connected")) return;
    S.voiceLeg = {callId: forCall, state: "none"};
    showRejoin(forCall, T.audio_not_connected, null);
    updateCallStatus();
  }
  socket.on("caller_joined", (data) => {
    if (staleResend()) return;
    const resumed = resync !== null;
    endResync();
    joinedCalls.add(data.call_id);
    if (data.call_id !== S.callId) return;
    if (confirmRejoin(data.call_id)) return;
    // Back after a lost connection: the server says the line is up again, whatever this screen
    // last knew (a rejoin confirmed while it was away).
    if (resumed && S.legLost && S.legLost.callId === data.call_id && S.legLost.deadline !== null) { rejoined(); return; }
    updateCallStatus();
  });
  socket.on("bridge_failed", (data) => {
    finished.add(data.call_id);
    if (S.callId && data.call_id !== S.callId) return;
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
    if (S.callId && data.call_id !== S.callId) return;
    endCallPanel(true);
    notify(T.handed_on);
    startWrapUp(data.wrap_up_seconds);
  });
  socket.on("call_ended", (data) => {
    if (staleResend()) return;
    endResync();
    if (data.call_id) finished.add(data.call_id);
    if (S.callId && data.call_id && data.call_id !== S.callId) return;
    // The register lost the caller, yet our audio is up: they may still be talking. Their leg is
    // not cut from here; the panel stays so they can hang up themselves.
    const ended = S.callId || data.call_id;
    const audioUp = twilioMode && data.reason === "caller_lost" && voice.call && !$("call").hidden
      && S.voiceLeg.callId === ended && S.voiceLeg.state === "connected" && S.hangingUp !== ended;
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
    if (!S.callId || S.hangingUp === S.callId) return;
    const ending = S.callId;
    if (finished.has(ending)) { endCallPanel(true); return; }   // over on the line: only our own leg is left
    S.hangingUp = ending; $("btn-hangup").disabled = true;
    callError("");
    callStatus(T.hanging_up);
    const reply = await emit("hang_up", {call_id: ending}, true);
    if (finished.has(ending) || S.callId !== ending) return;   // call_ended came first: nothing to add
    if (!reply.ok) {
      S.hangingUp = null;
      $("btn-hangup").disabled = false;
      updateCallStatus();
      callError(fmt(T.hang_up_failed, {error: reply.error || T.no_reply}));
      return;
    }
    // Closed on the server; call_ended should follow. If it does not, do not wait for ever.
    setTimeout(() => {
      if (finished.has(ending) || S.callId !== ending) return;
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

  // ---- requests to the server: only a JSON answer from the server itself counts (record.js)
  async function post(url, body) {
    const reply = await record.send(url, body);
    if (reply.ok) actedNow();
    return reply;
  }
  // ---- the parts (console_*.js, loaded before this file), each given what it needs and adding
  // what it offers to the same object
  const c = {S, T, $, root, socket, record, twilioMode, fmt, safe, mmss, ring, finished, joinedCalls,
             showError, notify, emit, post, endCallPanel, updateCallStatus, callStatus, staleResend,
             endResync, signedOut: signOut.ended};
  ["voice", "rejoin", "offer", "idle", "danger"].forEach((part) => window.consoleParts[part](c));
  const {voice, updateReadiness, dropVoice, hideLegLost, showRejoin, rejoined, confirmRejoin, closeOffer,
         actedNow} = c;
  if (window.offerAlert) window.offerAlert.start({socket, emit});   // after the listeners above
  if (window.callHelp) window.callHelp.start({socket});
  if (window.warmTransfer) window.warmTransfer.start({socket});
})();
