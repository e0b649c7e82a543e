// Requests for help from psychologists on a call: a banner with the alarm, a card per request
// with the call's language, caller type and risk so far, and "On my way" (shown as answered only
// on the server's word). Uses the board's socket and alarm (window.supervisorBoard).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const board = window.supervisorBoard;
  if (!$("help-requests") || !board) return;
  const T = JSON.parse($("i18n-help").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const fmt = (text, values) => String(text).replace(/\{(\w+)\}/g, (w, k) => (k in values ? String(values[k]) : w));
  const time = (iso) => window.Senim.localTime(iso);
  const cards = {};     // call id -> its card

  function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }

  async function onMyWay(callId, card) {
    const button = card.querySelector("button");
    button.disabled = true;
    let r = null;
    try {
      r = await fetch(`/supervisor/calls/${encodeURIComponent(callId)}/help/ack`, {method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}, body: "{}"});
    } catch (e) { /* said below */ }
    const isJson = r && (r.headers.get("Content-Type") || "").includes("application/json");
    const data = isJson ? await r.json().catch(() => ({})) : {};
    if (!r || r.redirected || !isJson || !r.ok) {
      button.disabled = false;
      $("help-error").textContent = data.error || T.not_done;
      return;
    }
    $("help-error").textContent = "";
    card.querySelector(".help-answer").textContent = T.answered;
    button.hidden = true;
  }

  function requested(data) {
    const card = cards[data.call_id] || el("li", undefined, "help-request");
    card.replaceChildren();
    card.dataset.call = data.call_id;
    card.appendChild(el("strong", fmt(T.asks, {name: data.asked_by, time: time(data.at)})));
    const facts = [data.centre, T[data.language] || T.unknown_language, T[data.caller_type] || T.unknown_caller,
                   T[data.risk_level] || T.unknown_risk];
    if (data.is_urgent) facts.unshift(T.urgent);
    card.appendChild(el("p", facts.filter(Boolean).join(" · "), "help-facts"));
    const button = el("button", T.on_my_way, "primary"); button.type = "button";
    button.addEventListener("click", () => onMyWay(data.call_id, card));
    card.appendChild(button);
    card.appendChild(el("p", "", "help-answer done"));
    cards[data.call_id] = card;
    $("help-list").prepend(card);
    $("help-none").hidden = true;
    const banner = $("help-banner");
    banner.textContent = fmt(T.banner, {name: data.asked_by}); banner.hidden = false;
    board.alarm();
  }

  board.socket.on("help_request", requested);
  board.socket.on("help_taken", (data) => {
    const card = cards[data.call_id];
    if (!card) return;
    const answer = card.querySelector(".help-answer");
    if (!answer.textContent) answer.textContent = fmt(T.taken, {name: data.supervisor});
    $("help-banner").hidden = true;
  });
})();
