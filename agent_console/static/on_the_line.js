// The psychologist's console: who else is on the line (a supervisor listening, coaching or
// joined), told by the server on every change and again when the console (re)connects.
(function () {
  "use strict";
  const socket = window.consoleSocket;
  const box = document.getElementById("on-the-line");
  if (!socket || !box) return;
  const W = JSON.parse(document.getElementById("i18n-on-the-line").textContent);
  let shownFor = null;

  function show(data) {
    const people = data.people || [];
    shownFor = data.call_id;
    box.replaceChildren();
    people.forEach((p) => {
      const line = document.createElement("span");
      line.className = "on-the-line-person"; line.dataset.mode = p.mode;
      line.textContent = W.on_the_line.replace("{name}", p.name).replace("{mode}", W[p.mode] || p.mode);
      box.appendChild(line);
    });
    box.hidden = !people.length;
  }
  function clear() { box.replaceChildren(); box.hidden = true; }

  socket.on("on_the_line", show);
  socket.on("call_connected", (data) => { if (data.call_id !== shownFor) clear(); });
  socket.on("call_ended", clear);
  socket.on("agent_leg_lost", clear);   // her line dropped: the conference, and everyone in it, is gone
})();
