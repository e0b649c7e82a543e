// The supervisor on a call in progress: Listen (muted), Coach (only the psychologist hears),
// Join (everyone hears everyone), switchable during the call, and Leave. A step is shown as done
// only when the server says so; otherwise the refusal is shown in words. With the real carrier
// the supervisor's browser (Voice SDK) answers the line's call into the conference.
(function () {
  "use strict";
  const W = JSON.parse(document.getElementById("i18n-line").textContent);
  const errorEl = document.getElementById("action-error");
  const doneEl = document.getElementById("line-done");
  let line = {calls: {}, me: null};
  const RING_MS = 30000;
  const incoming = window.Senim.answerExpected();   // the line's call, answered only when asked for

  function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  const described = (p) => W.person.replace("{name}", p.name).replace("{mode}", W[p.mode] || p.mode);

  function decorate() {
    document.querySelectorAll("#in-progress li[data-call]").forEach((li) => {
      li.querySelectorAll(".line-controls, .line-people").forEach((n) => n.remove());
      const info = line.calls[li.dataset.call];
      if (!info) return;
      const mine = info.people.find((p) => p.user_id === line.me);
      if (info.people.length) li.appendChild(el("p", W.on_line + " " + info.people.map(described).join(", "), "line-people"));
      const box = el("span", undefined, "line-controls"); box.setAttribute("role", "group"); box.setAttribute("aria-label", W.group);
      info.modes.forEach((mode) => {
        const b = el("button", W["button_" + mode], "small"); b.type = "button"; b.dataset.mode = mode;
        b.setAttribute("aria-pressed", mine && mine.mode === mode ? "true" : "false");
        b.addEventListener("click", () => step(li.dataset.call, mode));
        box.appendChild(b);
      });
      if (mine) {
        const b = el("button", W.button_leave, "small"); b.type = "button"; b.dataset.mode = "leave";
        b.addEventListener("click", () => step(li.dataset.call, "leave"));
        box.appendChild(b);
      }
      li.appendChild(box);
    });
  }

  async function load() {
    try {
      const r = await fetch("/supervisor/line.json", {headers: {"Accept": "application/json"}});
      if (r.ok && (r.headers.get("Content-Type") || "").includes("application/json")) line = await r.json();
    } catch (e) { /* the board shows the calls; the controls come back with the next refresh */ }
    decorate();
  }

  async function step(callId, mode) {
    errorEl.textContent = ""; doneEl.textContent = "";
    if (mode !== "leave") incoming.expect(RING_MS);
    const {ok, data} = await window.Senim.post(`/supervisor/calls/${encodeURIComponent(callId)}/line`, {mode});
    if (!ok) { errorEl.textContent = data.error; incoming.stop(); load(); return; }
    doneEl.textContent = W["done_" + mode];
    load();
  }

  // Real carrier: a Voice SDK device that answers the line's call into the conference.
  async function device() {
    if (W.carrier !== "twilio" || !window.Twilio || !Twilio.Device) return;
    const r = await fetch("/supervisor/voice-token", {credentials: "same-origin", cache: "no-store"});
    if (!r.ok) return;
    const dev = new Twilio.Device((await r.json()).token, {closeProtection: true});
    incoming.listen(dev);
    dev.on("tokenWillExpire", async () => {
      const again = await fetch("/supervisor/voice-token", {credentials: "same-origin", cache: "no-store"});
      if (again.ok) dev.updateToken((await again.json()).token);
    });
    await dev.register();
  }

  document.addEventListener("board-rendered", () => { decorate(); load(); });
  device().catch(() => { errorEl.textContent = W.no_audio; });
})();
