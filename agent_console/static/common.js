// What the staff pages' scripts share, loaded before each page's own script (base.html):
// window.Senim = {mmss, fill, el, localTime, localDate, localDateTime, post, notDone, sound,
// endOnSignOut, answerExpected}.
//
// Times are shown in the centre's zone, which the page names (<body data-zone>, from
// Centre.timezone); no script writes a zone of its own.
// post(url, body, words, options) sends JSON with the CSRF header. Only a JSON answer from the
// server itself counts: a network failure, a redirect (to the sign-in page) or any other page is
// "not done", in the layout's words (notDone: offline / signed_out / server, from base.html) unless
// the caller's words say it their way (words.not_done_offline / not_done_signed_out /
// not_done_server), so an action that did not happen is never shown as done. It resolves to
// {ok, data} with data.error set whenever ok is false.
// sound: prepareOnTouch() (a browser plays sound only after a touch: on a page that rings, the
// first key or click prepares it, so a later ring is heard), ring(on) (an offer ringing: a beep every 1.5 s until ring(false)) and alarm() (three beeps).
// endOnSignOut(socket, onStop): when the sign-in session ends (here or elsewhere, revoked, idle or
// too old) the socket stops for good and onStop() runs, once; returns {stop, ended}.
// answerExpected(onAccept) -> {listen(device), expect(ms), stop()}: with the real carrier, a Voice
// SDK device registered for incoming calls answers only the line's call (from LINE) and only
// while the page expects one (expect(ms): the server said it rings here; stop(): that is over);
// any other call is rejected, never put through to a headset unannounced. A call that arrives
// just before the page hears that it is expected waits EARLY_MS for it. onAccept(call) runs for
// each call answered.
(function () {
  "use strict";
  const zone = document.body.dataset.zone || undefined;
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";
  const notDone = JSON.parse(document.getElementById("i18n-not-done").textContent);

  function mmss(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds) || 0));
    return String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }
  // "{name} is on duty until {time}." with {name: ..., time: ...}; unknown keys stay as they are.
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // dd.mm.yyyy and 24-hour HH:MM, as the pages print them on the server.
  function at(iso) { return iso ? new Date(iso) : new Date(); }
  const HM = {hour: "2-digit", minute: "2-digit", hour12: false};
  function localTime(iso) { return at(iso).toLocaleTimeString("ru-RU", {timeZone: zone, ...HM}); }
  function localDate(iso) { return at(iso).toLocaleDateString("ru-RU", {timeZone: zone}); }
  function localDateTime(iso) {
    return at(iso).toLocaleString("ru-RU", {timeZone: zone, day: "2-digit", month: "2-digit", ...HM});
  }

  // keepalive: sent even while the page unloads (a reload right after typing).
  async function post(url, body, words, options) {
    words = {not_done_offline: notDone.offline, not_done_signed_out: notDone.signed_out,
      not_done_server: notDone.server, ...words};
    let response;
    try {
      response = await fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
        keepalive: !!(options && options.keepalive),
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}});
    } catch (e) {
      return {ok: false, data: {error: words.not_done_offline}};
    }
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    const data = isJson ? await response.json().catch(() => ({})) : {};
    if (response.redirected || !isJson) return {ok: false, data: {...data, error: data.error || words.not_done_signed_out}};
    if (!response.ok && !data.error) data.error = words.not_done_server;
    return {ok: response.ok, data};
  }

  let audio = null, ringTimer = null;
  function context() {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume().catch(() => null);
    return audio;
  }
  function beep(frequency, volume, seconds, delay) {
    const ctx = context(), start = ctx.currentTime + (delay || 0);
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = frequency; gain.gain.value = volume;
    osc.connect(gain); gain.connect(ctx.destination);
    osc.start(start); osc.stop(start + seconds);
  }
  // No audio (a browser without it, or not yet allowed): the banner, the title and the words remain.
  function ready() { try { context(); } catch (e) { /* no audio */ } }
  const sound = {
    prepareOnTouch() {
      ["pointerdown", "keydown"].forEach((type) => document.addEventListener(type, ready, {once: true, capture: true}));
    },
    ring(on) {
      clearInterval(ringTimer);
      if (!on) return;
      try {
        const once = () => beep(660, 0.08, 0.35);
        once(); ringTimer = setInterval(once, 1500);
      } catch (e) { /* no audio */ }
    },
    alarm() {
      try { [0, 0.4, 0.8].forEach((delay) => beep(880, 0.12, 0.25, delay)); } catch (e) { /* no audio */ }
    },
  };

  function endOnSignOut(socket, onStop) {
    let ended = false;
    function stop() {
      if (ended) return;
      ended = true;
      socket.io.opts.reconnection = false;
      socket.disconnect();
      onStop();
    }
    socket.on("signed_out", stop);
    socket.on("session_ended", stop);
    // a connection the server refuses (no live session) is not retried by Socket.IO
    socket.on("connect_error", () => { if (!socket.active) stop(); });
    return {stop, ended: () => ended};
  }

  const LINE = "client:senim", EARLY_MS = 3000;
  function answerExpected(onAccept) {
    let until = 0, waiting = null, timer = null;
    const expected = () => Date.now() < until;
    function settle() {
      const call = waiting;
      waiting = null; clearTimeout(timer);
      if (!call) return;
      if (!expected()) { call.reject(); return; }
      call.accept();
      if (onAccept) onAccept(call);
    }
    function incoming(call) {
      const from = call.parameters && call.parameters.From;
      if (from !== LINE || waiting) { call.reject(); return; }
      waiting = call;
      call.on("cancel", () => { if (waiting === call) { waiting = null; clearTimeout(timer); } });
      if (expected()) settle(); else timer = setTimeout(settle, EARLY_MS);
    }
    return {
      listen(device) { device.on("incoming", incoming); },
      expect(ms) { until = Date.now() + ms; settle(); },
      stop() { until = 0; settle(); },
    };
  }

  window.Senim = {mmss, fill, el, localTime, localDate, localDateTime, post, notDone, sound, endOnSignOut,
                  answerExpected};
})();
