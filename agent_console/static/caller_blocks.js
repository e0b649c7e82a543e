// The supervisor's caller blocks: block the caller of a recent call, lift a block. The page
// acts on call ids only; it never sees a caller's token or number.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("i18n-blocks").textContent);
  const $ = (id) => document.getElementById(id);
  const REASONS = ["abuse", "prank", "threats", "silent", "other"];
  let shown = "";
  const {el, localDateTime: when} = window.Senim;
  const words = {not_done_offline: T.not_done, not_done_signed_out: T.not_done, not_done_server: T.not_done};

  function select(name, values) {
    const s = el("select"); s.name = name; s.setAttribute("aria-label", T[name]);
    values.forEach((v) => { const o = el("option", T[v] || v); o.value = v; s.appendChild(o); });
    return s;
  }

  // Only what the server answers is shown: an action that did not happen is never shown as done.
  async function act(url, body) {
    $("blocks-error").textContent = "";
    const {ok, data} = await window.Senim.post(url, body, words);
    if (!ok) $("blocks-error").textContent = data.error;
    shown = "";
    refresh();
  }

  function render(data) {
    $("blocks-off").hidden = data.enabled;
    const list = $("blocks-list"); list.innerHTML = "";
    if (!data.blocks.length) list.appendChild(el("li", T.none, "muted"));
    data.blocks.forEach((b) => {
      const li = el("li", `${T.until.replace("{time}", when(b.ends_at))} · ${T[b.reason] || b.reason} `);
      const lift = el("button", T.lift); lift.type = "button";
      lift.addEventListener("click", () => act(`/supervisor/caller-blocks/${b.id}/lift`));
      li.appendChild(lift); list.appendChild(li);
    });
    const calls = $("blocks-calls"); calls.innerHTML = "";
    if (!data.calls.length) calls.appendChild(el("li", T.none, "muted"));
    data.calls.forEach((c) => {
      const li = el("li", `${when(c.started_at)} · ${c.language || "—"} · ${c.caller_type || "—"} · ${c.outcome || T.in_progress} · ${c.centre} `);
      if (c.blocked) {
        li.appendChild(el("strong", T.blocked));
      } else {
        const duration = select("duration", data.durations), reason = select("reason", REASONS);
        const go = el("button", T.block, "danger"); go.type = "button";
        go.addEventListener("click", () => {
          if (window.confirm(T.confirm)) act(`/supervisor/calls/${c.call_id}/block`, {duration: duration.value, reason: reason.value});
        });
        li.append(duration, reason, go);
      }
      calls.appendChild(li);
    });
  }

  async function refresh() {
    try {
      const r = await fetch("/supervisor/caller-blocks.json", {headers: {"Accept": "application/json"}});
      if (!r.ok) return;
      const text = await r.text();
      if (text !== shown) { shown = text; render(JSON.parse(text)); }   // keeps choices being made
    } catch (e) { /* the next refresh tries again */ }
  }
  refresh();
  setInterval(refresh, 15000);
})();
