// The console when the psychologist's audio drops while the caller waits (agent_leg_lost), or
// when this browser's leg failed or was never placed: the dropped-line panel, its countdown and
// Rejoin. Installed by console.js (consoleParts.rejoin(c)); it owns c.S.legLost.
(function () {
  "use strict";
  window.consoleParts = window.consoleParts || {};
  window.consoleParts.rejoin = function (c) {
    const {S, T, $, twilioMode, fmt, safe, mmss, finished, joinedCalls, socket, emit, notify, callStatus,
           updateCallStatus, staleResend, endResync, dropVoice, connectVoice, freshToken, deviceReady,
           readinessText, describeError} = c;
    const REJOIN_CONFIRM_MS = 15000;    // a simulated rejoin is confirmed by caller_joined within this
    // ---- the psychologist's audio dropped while the caller waits: rejoin within the time given
    // The same panel serves when our audio leg failed or was never placed (real carrier): then the
    // server set no deadline, and Rejoin places the leg again.
    function hideLegLost() {
      if (S.legLost) { clearInterval(S.legLost.ticker); clearTimeout(S.legLost.confirmTimer); }
      S.legLost = null; S.rejoinPending = false;
      $("leg-lost").hidden = true;
      $("leg-lost-text").textContent = ""; $("leg-lost-status").textContent = "";
    }
    function tickLegLost() {
      if (!S.legLost || S.legLost.deadline === null) return;
      const left = (S.legLost.deadline - Date.now()) / 1000;
      $("leg-lost-timer").textContent = mmss(left);
      if (left <= 0) {
        clearInterval(S.legLost.ticker);
        if (!S.rejoinPending && !S.legLost.awaiting) $("leg-lost-status").textContent = T.leg_lost_time_up;
      }
    }
    function showRejoin(forCall, text, rejoinSeconds) {
      hideLegLost();
      $("call").hidden = false;
      const deadline = rejoinSeconds === null ? null : Date.now() + Math.max(0, Number(rejoinSeconds) || 0) * 1000;
      S.legLost = {callId: forCall, deadline, ticker: null, awaiting: false, confirmTimer: null};
      $("leg-lost-countdown").hidden = deadline === null;
      $("leg-lost").hidden = false;
      $("leg-lost-text").textContent = text;   // set while visible: the alert is announced
      $("btn-rejoin").disabled = false;
      if (deadline !== null) {
        tickLegLost();
        S.legLost.ticker = setInterval(tickLegLost, 1000);   // no focus move: they may be typing notes
      }
    }
    socket.on("agent_leg_lost", (data) => {
      if (staleResend()) return;
      endResync();
      if (S.callId && data.call_id !== S.callId) return;
      S.callId = data.call_id;
      dropVoice();
      notify("");
      // the same news twice (a replay after reconnecting, then the queued event): keep the earlier deadline
      const already = S.legLost && S.legLost.callId === data.call_id && S.legLost.deadline !== null
        && !S.legLost.awaiting;
      const seconds = already
        ? Math.min(Number(data.rejoin_seconds) || 0, Math.max(0, (S.legLost.deadline - Date.now()) / 1000))
        : data.rejoin_seconds;
      showRejoin(data.call_id, T.leg_lost, seconds);
      callStatus("");
    });
    // Our own audio leg failed or could not be placed (real carrier): say so, offer Rejoin.
    function voiceFailed(forCall, message) {
      if (finished.has(forCall) || (S.callId && forCall !== S.callId)) return;
      S.voiceLeg = {callId: forCall, state: "failed"};
      if (S.legLost && S.legLost.callId === forCall && S.legLost.deadline !== null) return;   // already in hand
      showRejoin(forCall, T.audio_not_connected, null);
      $("leg-lost-status").textContent = fmt(T.audio_failed, {error: safe(message)});
      updateCallStatus();
    }
    function rejoinFailed(message) {
      S.rejoinPending = false;
      if (!S.legLost) return;
      S.legLost.awaiting = false; clearTimeout(S.legLost.confirmTimer);
      $("btn-rejoin").disabled = false;
      $("leg-lost-status").textContent = fmt(T.rejoin_failed, {error: safe(message)});
    }
    function rejoined() {
      const dropped = S.legLost && S.legLost.deadline !== null;   // the server had announced the drop
      hideLegLost();
      if (twilioMode) updateCallStatus(); else callStatus(T.caller_connected);
      if (dropped) notify(T.rejoined);
    }
    // Simulated carrier: the server took the rejoin; we are back only when the line says so.
    function awaitRejoin(forCall) {
      S.legLost.awaiting = true;
      $("leg-lost-status").textContent = T.rejoining;
      clearTimeout(S.legLost.confirmTimer);
      S.legLost.confirmTimer = setTimeout(() => {
        if (!S.legLost || S.legLost.callId !== forCall || !S.legLost.awaiting) return;
        S.rejoinPending = false;                     // still awaiting: a late confirmation counts
        $("btn-rejoin").disabled = false;
        $("leg-lost-status").textContent = T.rejoin_unconfirmed;
      }, REJOIN_CONFIRM_MS);
    }
    // True when this confirms a rejoin we were waiting for.
    function confirmRejoin(forCall) {
      if (!S.legLost || !S.legLost.awaiting || S.legLost.callId !== forCall || forCall !== S.callId) return false;
      joinedCalls.add(forCall);
      rejoined();
      return true;
    }
    $("btn-rejoin").addEventListener("click", async () => {
      if (!S.legLost || S.rejoinPending) return;
      const lostCall = S.legLost.callId;
      S.rejoinPending = true; $("btn-rejoin").disabled = true;
      $("leg-lost-status").textContent = T.rejoining;
      if (twilioMode) {
        // The audio must be able to come back before the server is asked to take us back.
        try { await freshToken(); } catch (e) { rejoinFailed(readinessText() || describeError(e)); return; }
        if (!deviceReady()) { rejoinFailed(readinessText()); return; }
      }
      const reply = await emit("rejoin", {call_id: lostCall});
      if (!S.legLost || S.legLost.callId !== lostCall) return;   // the call ended or moved on meanwhile
      if (!reply.ok) { rejoinFailed(reply.error || T.no_reply); return; }
      if (!twilioMode) { awaitRejoin(lostCall); return; }
      if (!reply.join) { rejoinFailed(T.no_join); return; }
      const ok = await connectVoice(reply.join, lostCall, {onAccept: rejoined, onFail: rejoinFailed});
      if (!ok) return;
      $("leg-lost-status").textContent = T.audio_connecting;
    });
    Object.assign(c, {hideLegLost, showRejoin, voiceFailed, rejoined, confirmRejoin});
  };
})();
