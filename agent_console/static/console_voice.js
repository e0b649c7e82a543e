// The console's audio with the real carrier: the Twilio Voice SDK's Device, its access token kept
// fresh, whether the audio is ready (and why not, in words), and this browser's leg into a call's
// conference. Installed by console.js (consoleParts.voice(c)); it reads and sets c.S.voiceLeg.
(function () {
  "use strict";
  window.consoleParts = window.consoleParts || {};
  window.consoleParts.voice = function (c) {
    const {S, T, $, twilioMode, fmt, safe, finished, showError, endCallPanel, updateCallStatus} = c;
    // ---- voice (Twilio Voice SDK, only with the real carrier)
    // Ready = the SDK is set up, the last token fetch worked and its token is within its TTL, no device
    // error is outstanding, the computer is online and the microphone is not blocked. For its own
    // calls the Device dials out to join the conference; it is registered for incoming calls only so
    // that a colleague's consultation can ring here (answered only when expected, see below).
    const TOKEN_MARGIN_MS = 60000, RETRY_MS = 15000;
    const SIGNALLING = new Set([31000, 31005, 31009]);     // the SDK's connection to Twilio
    const voice = {device: null, call: null, settingUp: false, unsupported: false, tokenError: null,
                   deviceError: null, micBlocked: false, tokenAt: 0, tokenExpiresAt: 0,
                   registerError: null, refreshTimer: null, recoverTimer: null};

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
      $("btn-accept").disabled = S.acceptPending || !!reason;
      $("btn-decline").disabled = S.acceptPending;
      const status = $("device-status");
      if (status) {
        // Ready for her own calls, but a colleague's consultation cannot ring here: said, not blocking.
        const ready = voice.registerError
          ? fmt(T.device_not_registered, voice.registerError) + " " + T.device_retrying : T.device_ready;
        status.textContent = reason || ready;
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
        incoming.listen(device);
        device.on("error", (err) => {
          // Twilio's signalling out of reach while no leg of ours is being placed or up: only the
          // registration for consultations failed (the SDK retries it); our own call's connect
          // reaches for Twilio afresh and says in words if that fails.
          if (SIGNALLING.has(err && err.code) && !voice.call && S.voiceLeg.state !== "connecting") {
            voice.registerError = {error: safe(err.description || err.message || ""), code: err.code};
            updateReadiness(); return;
          }
          voice.deviceError = describeError(err);
          updateReadiness();
          if (S.callId && !(S.legLost && S.legLost.deadline !== null)) showError(voice.deviceError);
          recoverSoon();
        });
        device.on("destroyed", () => {
          if (voice.device === device) { voice.device = null; voice.call = null; }
          updateReadiness(); recoverSoon();
        });
        voice.device = device;
        voice.deviceError = null;
        device.on("registered", () => { voice.registerError = null; updateReadiness(); });
        device.register().catch(() => null);     // its failure comes as an "error" event too
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
      if (call) S.voiceLeg = {callId: S.voiceLeg.callId, state: "dropped"};
      audioStatus("");
      if (call) { call.__dropped = true; try { call.disconnect(); } catch (e) { /* already gone */ } }
    }
    // One failure per leg (error, then disconnect), said in words.
    function failer(forCall, hooks) {
      let failed = false;
      return (message) => {
        if (failed) return;
        failed = true;
        if (S.voiceLeg.callId === forCall) S.voiceLeg = {callId: forCall, state: "failed"};
        audioStatus(fmt(T.audio_failed, {error: message}));
        if (hooks.onFail) hooks.onFail(message); else showError(fmt(T.audio_failed, {error: message}));
      };
    }
    // Join the call's conference with a token fetched just now. True when the SDK placed the leg.
    async function connectVoice(join, forCall, hooks) {
      hooks = hooks || {};
      const fail = failer(forCall, hooks);
      dropVoice();
      S.voiceLeg = {callId: forCall, state: "connecting"};
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
      watchLeg(call, forCall, hooks, fail);
      return true;
    }
    // This browser's leg into forCall's conference: what it says, and what becomes of the call.
    function watchLeg(call, forCall, hooks, fail) {
      voice.call = call;
      call.mute($("btn-mute").getAttribute("aria-pressed") === "true");
      let accepted = false;
      call.on("accept", () => {
        if (call.__dropped) return;
        accepted = true; audioStatus(T.audio_connected);
        S.voiceLeg = {callId: forCall, state: "connected"};
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
          S.voiceLeg = {callId: forCall, state: "disconnected"};
          if (S.callId === forCall && !$("call").hidden) endCallPanel(true);
          return;
        }
        if (!accepted) { fail(T.audio_disconnected); return; }
        audioStatus(T.audio_disconnected);   // the server tells us what happens next (agent_leg_lost)
        S.voiceLeg = {callId: forCall, state: "disconnected"};
        if (S.callId === forCall) updateCallStatus();   // never "Connected" without our audio
      });
    }

    // A colleague consulting this psychologist (warm transfer) rings this browser from the line:
    // answered only while the console expects it (after "consultation", within the line's ring
    // time it names, plus the event's way here), rejected otherwise. Its leg is then this
    // console's, and the call's after a hand-over.
    const RING_MARGIN_MS = 5000;
    let consulted = null;
    const incoming = window.Senim.answerExpected((call) => {
      dropVoice();
      S.voiceLeg = {callId: consulted, state: "connecting"};
      audioStatus(T.audio_connecting);
      watchLeg(call, consulted, {}, failer(consulted, {}));
    });
    if (twilioMode) {
      c.socket.on("consultation", (data) => {
        consulted = data.call_id; incoming.expect((Number(data.ring_seconds) || 20) * 1000 + RING_MARGIN_MS);
      });
      ["consultation_over", "handed_over"].forEach((name) => c.socket.on(name, () => incoming.stop()));
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
    Object.assign(c, {voice, freshToken, deviceReady, readinessText, describeError, updateReadiness,
                      recoverSoon, dropVoice, connectVoice});
  };
})();
