// The console's idle sign-out. Installed by console.js (consoleParts.idle(c)).
(function () {
  "use strict";
  window.consoleParts = window.consoleParts || {};
  window.consoleParts.idle = function (c) {
    const {S, T, $, root, post, ring} = c;
    // ---- idle sign-out: the console's own heartbeats and refreshes do not count as the person's
    // activity, so a console left alone signs out and gets no calls. Typing or clicking on it does:
    // it is told to the server at most every few minutes. Five minutes before the end the
    // console asks "Still there?" (sound, title, a focused button) so nobody is signed out unawares.
    const IDLE_MS = (Number(root.dataset.idleMinutes) || 30) * 60000;
    const WARN_MS = Math.min(5 * 60000, IDLE_MS / 2), PING_MS = Math.min(4 * 60000, IDLE_MS / 3);
    let lastToldServer = Date.now(), lastTouched = 0, askingStillHere = false;
    const pageTitle = document.title;
    function actedNow() { lastToldServer = Date.now(); hideStillHere(); }
    function hideStillHere() {
      if (!askingStillHere) return;
      askingStillHere = false; $("still-here").hidden = true; document.title = pageTitle;
    }
    async function tellStillHere() {
      const {ok} = await post("/account/still-here");
      if (ok) actedNow();
    }
    ["keydown", "pointerdown", "input"].forEach((type) => document.addEventListener(type, () => {
      lastTouched = Date.now();
    }, {capture: true, passive: true}));
    setInterval(() => {
      if (c.signedOut()) return;
      const now = Date.now();
      if (lastTouched > lastToldServer && now - lastToldServer >= PING_MS) { tellStillHere(); return; }
      if (!askingStillHere && now - lastToldServer >= IDLE_MS - WARN_MS) {
        askingStillHere = true;
        const minutes = Math.max(1, Math.round((IDLE_MS - (now - lastToldServer)) / 60000));
        $("still-here-text").textContent = T.still_here.replace("{minutes}", minutes);
        $("still-here").hidden = false;
        document.title = T.still_here_title + " · " + pageTitle;
        $("btn-still-here").focus();
        ring(true); setTimeout(() => { if (!S.offer) ring(false); }, 2500);
      }
    }, 15000);
    $("btn-still-here").addEventListener("click", tellStillHere);
    Object.assign(c, {actedNow});
  };
})();
