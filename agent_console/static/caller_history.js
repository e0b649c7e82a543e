// "This caller has called N times before": a count of the caller's monthly token, never a
// number. Shown on the offer and during the call only when the line counts (caller tokens on).
window.callerHistory = (function () {
  "use strict";
  const node = document.getElementById("i18n-history");
  const H = node ? JSON.parse(node.textContent) : null;
  const rules = new Intl.PluralRules(document.documentElement.lang || "en");

  function text(n) {
    if (!H || typeof n !== "number" || n < 0) return "";
    const sentence = n === 0 ? H.none : (H[rules.select(n)] || H.many).replace("{n}", String(n));
    return sentence + " " + H.note;
  }
  function show(ids, data) {
    const words = text(data.earlier_calls);
    ids.forEach((id) => {
      document.querySelectorAll(id).forEach((e) => { e.hidden = !words; });
    });
    return words;
  }
  return {
    offer(data) { document.getElementById("offer-history").textContent = show([".caller-history"], data); },
    call(data) { document.getElementById("call-history").textContent = show(["#call-history"], data); },
  };
})();
