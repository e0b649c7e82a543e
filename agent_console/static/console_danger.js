// The console's "Immediate danger" button. Installed by console.js (consoleParts.danger(c)).
(function () {
  "use strict";
  window.consoleParts = window.consoleParts || {};
  window.consoleParts.danger = function (c) {
    const {S, T, $, post} = c;
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
      if (!S.callId || !window.confirm(T.confirm_danger)) return;
      escalate(S.callId, 1);
    });
  };
})();
