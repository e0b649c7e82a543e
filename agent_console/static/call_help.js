// During a call: "Ask for help" alerts the supervisor on call, "Transfer to another centre" passes
// the caller to another centre's queue. Both are shown as done only on the server's word: the
// names alerted in the reply, the supervisor's "On my way" (help_acknowledged), the transfer's
// call_ended {reason: "transferred"}. Started by console.js with its socket (window.callHelp).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  if (!$("call-help")) return;
  const T = JSON.parse($("i18n-call-help").textContent);
  const record = window.contactRecord;
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (w, k) => (k in values ? String(values[k]) : w));
  const UNCONFIRMED_MS = 15000;
  let callId = null, centres = [], confirmTimer = null;

  function status(text, kind) {
    const box = $("help-status");
    box.textContent = text || ""; box.className = "danger-status " + (kind || ""); box.hidden = !text;
  }
  function supervisorNames() {
    const names = JSON.parse(($("supervisors-on-call") || {}).textContent || "[]");
    return names.length ? names.join(", ") : T.anyone;
  }
  function showForm(open) {
    $("transfer-form").hidden = !open;
    $("btn-transfer").setAttribute("aria-expanded", String(open));
  }
  function started(data) {
    callId = data.call_id;
    status(""); showForm(false); $("transfer-error").textContent = ""; $("transfer-done").textContent = "";
    $("btn-transfer-go").disabled = false;
    $("call-help").hidden = false;
  }
  function over() {
    callId = null; clearTimeout(confirmTimer);
    $("call-help").hidden = true; showForm(false);
  }

  // ---- ask for help
  $("btn-help").addEventListener("click", async () => {
    if (!callId) return;
    status(T.asking, "");
    const {ok, data} = await record.send(`/console/calls/${encodeURIComponent(callId)}/help`);
    if (ok && Array.isArray(data.alerted)) status(fmt(T.alerted, {names: data.alerted.join(", ")}), "ok");
    else status(fmt(T.not_sent, {error: data.error || "", names: supervisorNames()}), "error");
  });

  // ---- transfer to another centre's queue
  function fillLanguages() {
    const centre = centres.find((c) => String(c.id) === $("transfer-centre").value);
    const select = $("transfer-language"), keep = select.value || select.dataset.callLanguage;
    select.replaceChildren(...(centre ? centre.languages : []).map((code) => new Option(T[code] || code, code)));
    if (centre && centre.languages.includes(keep)) select.value = keep;
  }
  $("btn-transfer").addEventListener("click", async () => {
    if (!callId) return;
    if (!$("transfer-form").hidden) { showForm(false); return; }
    $("transfer-error").textContent = T.loading;
    let data = null;
    try {
      const r = await fetch(`/console/calls/${encodeURIComponent(callId)}/transfer`, {headers: {"Accept": "application/json"}});
      if (r.ok && (r.headers.get("Content-Type") || "").includes("application/json")) data = await r.json();
    } catch (e) { /* said below */ }
    if (!data) { $("transfer-error").textContent = T.not_done; return; }
    centres = data.centres || [];
    if (!centres.length) { $("transfer-error").textContent = T.no_centres; return; }
    $("transfer-error").textContent = "";
    $("transfer-language").dataset.callLanguage = data.language || "";
    $("transfer-centre").replaceChildren(...centres.map((c) => new Option(c.name, String(c.id))));
    fillLanguages();
    showForm(true);
    $("transfer-centre").focus();
  });
  $("transfer-centre").addEventListener("change", fillLanguages);
  $("btn-transfer-cancel").addEventListener("click", () => showForm(false));
  $("transfer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!callId) return;
    const forCall = callId;
    $("btn-transfer-go").disabled = true;
    $("transfer-error").textContent = T.transferring;
    const {ok, data} = await record.send(`/console/calls/${encodeURIComponent(forCall)}/transfer`,
      {centre_id: Number($("transfer-centre").value), language: $("transfer-language").value});
    if (!ok) { $("btn-transfer-go").disabled = false; $("transfer-error").textContent = data.error; return; }
    // done only once call_ended {reason: "transferred"} arrives
    confirmTimer = setTimeout(() => { if (callId === forCall) $("transfer-error").textContent = T.unconfirmed; },
                              UNCONFIRMED_MS);
  });

  function start({socket}) {
    socket.on("call_connected", started);
    socket.on("help_acknowledged", (data) => {
      if (data.call_id === callId) status(fmt(T.on_the_way, {name: data.supervisor}), "ok");
    });
    socket.on("call_ended", (data) => {
      if (data.call_id !== callId) return;
      if (data.reason === "transferred") $("transfer-done").textContent = fmt(T.transferred, {centre: data.centre});
      over();
    });
    socket.on("transfer_failed", () => { $("transfer-done").textContent = T.transfer_failed; });
    ["call_handed_on", "bridge_failed"].forEach((name) => socket.on(name, (data) => {
      if (data.call_id === callId) over();
    }));
  }
  window.callHelp = {start};
})();
