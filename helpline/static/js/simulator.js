// The simulated phone: dials through the simulated carrier and shows what the caller hears.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("dial-form");
  const statusEl = document.getElementById("status");
  const errorEl = document.getElementById("error");
  const transcript = document.getElementById("transcript");
  const httpLog = document.getElementById("http-log");
  const callButton = document.getElementById("call-button");
  const hangupButton = document.getElementById("hangup-button");
  const dropAgentButton = document.getElementById("drop-agent-button");
  const dropColleagueButton = document.getElementById("drop-colleague-button");
  const onLine = document.getElementById("on-line");
  const faultBoxes = Array.from(document.querySelectorAll("#faults input[type=checkbox]"));
  const keys = Array.from(document.querySelectorAll(".key"));
  const lineAudio = document.getElementById("line-audio");
  const muteBox = document.getElementById("mute");
  let handle = null;
  let next = 0;
  let timer = null;

  // every word shown comes from the page, in the page's language
  const W = JSON.parse(document.getElementById("simulator-i18n").textContent);
  const STATUS = W;

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || (W.failed + " " + response.status));
    return data;
  }

  function line(list, kind, text, tag) {
    const item = document.createElement("li");
    item.className = kind;
    if (tag) {
      const label = document.createElement("span");
      label.className = "tag";
      label.textContent = tag;
      item.appendChild(label);
    }
    item.appendChild(document.createTextNode(text));
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  // The call is heard: <Play> through the audio element, <Say> through the browser's speech
  // synthesis in the <Say> language. The simulator paces the verbs as the carrier would, so
  // each is started as it arrives.
  function silence() {
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    lineAudio.pause();
  }

  function speak(text, language) {
    if (muteBox.checked || !window.speechSynthesis || !text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = language || "ru-RU";
    const prefix = utterance.lang.slice(0, 2).toLowerCase();
    const voice = window.speechSynthesis.getVoices().find(
      (v) => v.lang.toLowerCase().replace("_", "-").startsWith(prefix));
    if (voice) utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
  }

  function play(path) {
    if (muteBox.checked || !path) return;
    lineAudio.src = path;
    const started = lineAudio.play();
    if (started && started.catch) started.catch(() => {});   // blocked or failed: the transcript says it
  }

  muteBox.checked = window.localStorage.getItem("simulator-muted") === "1";
  muteBox.addEventListener("change", () => {
    window.localStorage.setItem("simulator-muted", muteBox.checked ? "1" : "0");
    if (muteBox.checked) silence();
  });

  function show(event) {
    switch (event.kind) {
      case "say": line(transcript, "say", event.text, W.line_says); speak(event.text, event.language); break;
      case "play": line(transcript, "play", event.text, W.audio); play(event.text); break;
      case "gather": line(transcript, "gather", W.listening, W.keys); break;
      case "keys": line(transcript, "keys", (event.ignored ? W.not_listening : W.you_pressed) + " " + event.text, W.you); break;
      case "queue": line(transcript, "queue", event.text, W.queue); break;
      case "dial": line(transcript, "dial", W.connecting + " " + event.text, W.call); break;
      case "conference": line(transcript, "dial", event.text, W.call); break;
      case "fault": line(httpLog, "error", event.text); break;
      case "ivr_hung_up": line(transcript, "end", W.line_hung_up, W.end); break;
      case "caller_hung_up": line(transcript, "end", W.you_hung_up, W.end); break;
      case "completed": line(transcript, "end", W.completed, W.end); break;
      case "error": line(transcript, "error", event.text, W.error); break;
      case "http": line(httpLog, "http", event.text); break;
    }
  }

  // Who is on the line, each in their mode ("the supervisor (coaching)"), and whom the caller hears.
  const person = (p) => (W[p.role] || p.role) + (p.mode ? ` (${W[p.mode] || p.mode})` : "");
  const listing = (names) => names.length > 1 ? names.slice(0, -1).join(", ") + " " + W.and + " " + names[names.length - 1] : names.join("");
  function showOnLine(people, hears) {
    const heard = document.getElementById("caller-hears");
    if (!people || !people.length) { onLine.textContent = ""; heard.textContent = ""; return; }
    const others = people.filter((p) => p.role !== "caller").map(person);
    const caller = people.find((p) => p.role === "caller");
    onLine.textContent = W.on_line + " " + listing(caller ? [person({...caller, role: "caller"}), ...others] : others);
    const held = caller && caller.mode === "on_hold";
    heard.textContent = W.caller_hears + " " + (hears.length ? listing(hears.map((r) => W[r] || r)) : held ? W.on_hold : W.nobody);
  }

  function setInCall(inCall, listening, psychologistOnLine) {
    callButton.disabled = inCall;
    hangupButton.disabled = !inCall;
    dropAgentButton.disabled = !(inCall && psychologistOnLine);
    keys.forEach((k) => { k.disabled = !inCall; k.classList.toggle("listening", !!listening); });
  }

  async function poll() {
    if (!handle) return;
    try {
      const response = await fetch(`/simulator/calls/${handle}?since=${next}`);
      const data = await response.json();
      data.events.forEach(show);
      next = data.next;
      statusEl.textContent = STATUS[data.status] || data.status;
      if (data.listening) statusEl.textContent += " · " + W.press_key;
      showOnLine(data.participants, data.hears);
      if (data.status === "completed") { stop(); return; }
      setInCall(true, data.listening, data.psychologist_on_line);
      dropColleagueButton.disabled = !(data.participants || []).some((p) => p.role === "colleague");
    } catch (err) {
      errorEl.textContent = W.lost + " " + err.message;
    }
    timer = setTimeout(poll, 300);
  }

  function stop() {
    clearTimeout(timer);
    silence();
    handle = null;
    showOnLine([]);
    setInCall(false, false, false);
    dropColleagueButton.disabled = true;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    silence();
    errorEl.textContent = "";
    transcript.innerHTML = "";
    httpLog.innerHTML = "";
    next = 0;
    try {
      const data = await post("/simulator/calls", {
        to: form.elements.to.value,
        withheld: form.elements.withheld.checked,
      });
      handle = data.handle;
      statusEl.textContent = STATUS.ringing;
      setInCall(true, false, false);
      poll();
    } catch (err) {
      errorEl.textContent = err.message;
    }
  });

  keys.forEach((button) => button.addEventListener("click", async () => {
    if (!handle) return;
    try { await post(`/simulator/calls/${handle}/keys`, {keys: button.dataset.key}); }
    catch (err) { errorEl.textContent = err.message; }
  }));

  hangupButton.addEventListener("click", async () => {
    if (!handle) return;
    try { await post(`/simulator/calls/${handle}/hangup`); }
    catch (err) { errorEl.textContent = err.message; }
  });

  // a fault on someone else's line: the psychologist's, or a warm transfer's colleague's
  [[dropAgentButton, "drop-agent"], [dropColleagueButton, "drop-colleague"]].forEach(([button, path]) =>
    button.addEventListener("click", async () => {
      if (!handle) return;
      errorEl.textContent = "";
      try { await post(`/simulator/calls/${handle}/${path}`); button.disabled = true; }
      catch (err) { errorEl.textContent = err.message; }
    }));

  faultBoxes.forEach((box) => box.addEventListener("change", async () => {
    errorEl.textContent = "";
    try {
      const faults = await post("/simulator/faults", {[box.name]: box.checked});
      faultBoxes.forEach((b) => { b.checked = !!faults[b.name]; });
    } catch (err) {
      box.checked = !box.checked;
      errorEl.textContent = err.message;
    }
  }));
})();
