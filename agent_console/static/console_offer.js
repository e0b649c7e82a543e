// The console's offers: an offer ringing (its facts, the ring), Accept (with the real carrier,
// only when the audio is ready; then the leg is placed) and Decline, each shown as done only on
// the server's word. Installed by console.js (consoleParts.offer(c)).
(function () {
  "use strict";
  window.consoleParts = window.consoleParts || {};
  window.consoleParts.offer = function (c) {
    const {S, T, $, twilioMode, fmt, safe, mmss, ring, finished, socket, emit, record, notify, endResync,
           updateCallStatus, voice, freshToken, deviceReady, updateReadiness, recoverSoon, connectVoice,
           voiceFailed} = c;
    let declinePending = false;
    // ---- offers
    function offerError(text) { $("offer-error").textContent = safe(text); }
    function closeOffer() {
      $("offer").hidden = true; ring(false); S.offer = null; offerError("");
      if (window.offerAlert) window.offerAlert.closed();
    }
    socket.on("offer", (data) => {
      endResync();
      S.offer = data;
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
      if (!S.offer || data.offer_id !== S.offer.offer_id) return;
      closeOffer();
      if (data.reason === "caller_lost") notify(T.offer_caller_lost);
    });
    $("btn-accept").addEventListener("click", async () => {
      if (!S.offer || S.acceptPending) return;
      const current = S.offer;
      S.acceptPending = true; updateReadiness();
      try {
        if (twilioMode) {
          await freshToken().catch(() => null);   // proves the server still gives call access
          if (!deviceReady()) return;              // the reason is shown next to Accept
        }
        offerError("");
        const reply = await emit("accept", {offer_id: current.offer_id, device_ready: deviceReady()});
        // the last call's record first: the offer rings on while she chooses
        if (record.refused(reply, () => { if (S.offer === current) $("btn-accept").click(); })) return;
        if (S.offer === current) closeOffer();
        // The bridge may already have failed (bridge_failed can overtake this reply).
        if (!reply.ok) {
          // No answer, yet the call did reach this console (call_connected): no audio leg was placed.
          if (twilioMode && S.callId && S.callId === S.shownCall && !finished.has(S.callId) && S.voiceLeg.callId !== S.callId) {
            voiceFailed(S.callId, reply.error || T.no_reply);
          }
          return;
        }
        if (finished.has(reply.call_id)) return;
        if (reply.call_id) S.callId = reply.call_id;
        if (twilioMode) {
          const taken = reply.call_id;
          if (!reply.join) { voiceFailed(taken, T.no_join); return; }
          await connectVoice(reply.join, taken, {
            onAccept: updateCallStatus,
            onFail: (message) => voiceFailed(taken, message),
          });
        }
      } finally {
        S.acceptPending = false; updateReadiness();
      }
    });
    // A refused decline leaves the offer ringing: it stays on screen with the reason.
    $("btn-decline").addEventListener("click", async () => {
      if (!S.offer || declinePending) return;
      const current = S.offer;
      declinePending = true; offerError("");
      try {
        const reply = await emit("decline", {offer_id: current.offer_id}, true);
        if (S.offer !== current) return;          // withdrawn or replaced meanwhile
        if (reply.ok) closeOffer();
        else offerError(fmt(T.decline_failed, {error: reply.error || T.no_reply}));
      } finally {
        declinePending = false;
      }
    });
    Object.assign(c, {closeOffer});
  };
})();
