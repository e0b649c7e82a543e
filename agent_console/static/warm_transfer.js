// Warm transfer during a call: hold the caller and consult a colleague, then hand the caller
// over or take them back. Each step is shown as done only on the server's word (its reply, or
// warm_transfer {step} / call_ended {reason: "handed_over"}); the colleague's console shows the
// consultation and, after a hand-over, the call as its own. Started by console.js (window.warmTransfer).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  if (!$("warm-transfer")) return;
  // the language names and "not done" are the help panel's words (_call_help.html)
  const T = {...JSON.parse($("i18n-call-help").textContent), ...JSON.parse($("i18n-warm").textContent)};
  const record = window.contactRecord;
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (w, k) => (k in values ? String(values[k]) : w));
  let callId = null, colleague = "";

  function status(text, kind) {
    const box = $("warm-status");
    box.textContent = text || ""; box.className = "danger-status " + (kind || ""); box.hidden = !text;
  }
  function consulting(on) {
    $("warm-form").hidden = on; $("warm-consulting").hidden = !on;
    $("btn-handover").disabled = false; $("btn-take-back").disabled = false;
  }
  // the caller may still be on hold though nobody is consulted: only Take back is offered
  function heldStill() { consulting(true); $("btn-handover").disabled = true; }
  function started(data) {
    callId = data.call_id; colleague = "";
    status(""); consulting(false); $("warm-done").textContent = "";
    $("warm-colleague").replaceChildren(); $("btn-consult").disabled = true;
    $("warm-transfer").hidden = false;
  }
  function over() { callId = null; $("warm-transfer").hidden = true; }
  const url = (what) => `/console/calls/${encodeURIComponent(callId)}/${what}`;

  function options(list) {
    const out = [new Option(T.supervisor, JSON.stringify({supervisor: true}))];
    list.forEach((c) => out.push(new Option(c.name, JSON.stringify({user_id: c.id}))));
    const seen = new Set();
    list.forEach((c) => c.languages.forEach((language) => {
      const key = `${c.centre_id}:${language}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(new Option(fmt(T.anyone, {centre: c.centre, language: T[language] || language}),
                          JSON.stringify({centre_id: c.centre_id, language})));
    }));
    return out;
  }
  $("btn-warm-load").addEventListener("click", async () => {
    if (!callId) return;
    let data = null;
    try {
      const r = await fetch(url("colleagues"), {headers: {"Accept": "application/json"}});
      if (r.ok && (r.headers.get("Content-Type") || "").includes("application/json")) data = await r.json();
    } catch (e) { /* said below */ }
    if (!data) { status(T.not_done, "error"); return; }
    $("warm-colleague").replaceChildren(...options(data.colleagues || []));
    $("btn-consult").disabled = false;
    status((data.colleagues || []).length ? "" : T.none, "");
    $("warm-colleague").focus();
  });
  $("warm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!callId || !$("warm-colleague").value) return;
    $("btn-consult").disabled = true; status(T.working, "");
    const {ok, data} = await record.send(url("consult"), JSON.parse($("warm-colleague").value));
    $("btn-consult").disabled = false;
    if (!ok) { if (data.still_on_hold) heldStill(); status(data.error || T.not_done, "error"); return; }
    colleague = data.colleague;
    consulting(true); status(fmt(T.consulting, {name: colleague}), "ok");
  });
  $("btn-take-back").addEventListener("click", async () => {
    if (!callId) return;
    $("btn-take-back").disabled = true; status(T.working, "");
    const {ok, data} = await record.send(url("take-back"));
    if (!ok) { $("btn-take-back").disabled = false; status(data.error || T.not_done, "error"); return; }
    consulting(false); status(T.taken_back, "ok");
  });
  $("btn-handover").addEventListener("click", async () => {
    if (!callId) return;
    $("btn-handover").disabled = true; status(T.working, "");
    const {ok, data} = await record.send(url("handover"));
    if (!ok) { $("btn-handover").disabled = false; status(data.error || T.not_done, "error"); }
    // done only once call_ended {reason: "handed_over"} arrives
  });

  function start({socket}) {
    const banner = $("consultation");
    const show = (text) => { banner.textContent = text; banner.hidden = !text; };
    socket.on("call_connected", started);
    socket.on("warm_transfer", (data) => {
      const said = fmt(T[data.step] || T.not_done, {name: data.colleague || ""});
      if (data.step === "colleague_not_let_go") { show(said); return; }        // the colleague's console
      if (data.step === "first_not_let_go") { $("warm-done").textContent = said; return; }   // handed over
      if (data.call_id !== callId) return;
      if (data.step === "still_on_hold") { heldStill(); status(said, "error"); }
      else if (data.step === "colleague_still_on") status(said, "error");
      else if (data.step === "off_hold") { consulting(false); status(said, "ok"); }
      else if (["colleague_lost", "colleague_no_answer"].includes(data.step)) {
        consulting(false); status(said, "error");
      }
    });
    socket.on("call_ended", (data) => {
      if (data.call_id !== callId) return;
      if (data.reason === "handed_over") $("warm-done").textContent = fmt(T.handed_over, {name: data.colleague});
      over();
    });
    ["call_handed_on", "bridge_failed"].forEach((name) => socket.on(name, (data) => {
      if (data.call_id === callId) over();
    }));
    socket.on("consultation", (data) => show(fmt(T.consultation, {name: data.from})));
    socket.on("consultation_over", () => show(""));
    socket.on("handed_over", (data) => show(fmt(T.yours, {name: data.from})));
  }
  window.warmTransfer = {start};
})();
