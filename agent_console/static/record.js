// The contact record form, on the console and on a past call's page (My calls): loading what was
// saved, the draft kept on the server as one types, saving with the required fields shown at the
// field, the notes counter, and (on the console) the choice when a new call is refused because
// the last call's record is unsaved.
//
// The draft is sent 2 s after the last keystroke and when a control loses focus, to
// POST /console/calls/<id>/draft (encrypted there, one per call and person; deleted when the record
// is saved). Whether it was kept is always said: "Draft saved 21:04" or "Draft not saved — check
// the connection". Nothing typed is kept in the browser itself.
//
// The console drives it through window.contactRecord: setCall(id), reset(), load(id),
// refused(reply, retry), and send(url, body) (a POST whose answer counts only if it is the server's).
(function () {
  "use strict";
  const form = document.getElementById("record-form");
  if (!form) return;
  const T = JSON.parse(document.getElementById("i18n-record").textContent);
  const $ = (id) => document.getElementById(id);
  const DRAFT_DELAY_MS = 2000, DRAFT_RETRY_MS = 15000;
  const REQUIRED = {caller_type: T.caller_type_required, risk_level: T.risk_level_required};
  let callId = form.dataset.callId || null;
  let loading = 0, loads = 0;
  let dirty = false, draftTimer = null, draftSending = Promise.resolve();

  const {fill: fmt, localTime: clockTime} = window.Senim;
  // Only a JSON answer from the server itself counts (common.js); keepalive: sent even while the
  // page unloads (a reload right after typing).
  function send(url, body, keepalive) { return window.Senim.post(url, body, T, {keepalive}); }

  // ---- what the form holds
  function collect() {
    const checked = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map((i) => i.value);
    return {
      caller_type: form.caller_type.value, age_band: form.age_band.value, gender: form.gender.value,
      topics: checked("topics"), risk_level: form.risk_level.value, consent: form.consent.value,
      referrals: checked("referrals"), follow_up_needed: form.follow_up_needed.checked,
      follow_up_due: form.follow_up_due.value, notes: form.notes.value,
    };
  }
  function fill(record) {
    const choose = (select, value) => {
      select.value = value === null || value === undefined ? "" : String(value);
      if (select.selectedIndex < 0) select.selectedIndex = 0;
    };
    ["caller_type", "age_band", "gender", "risk_level", "consent"].forEach((name) => choose(form.elements[name], record[name]));
    const tick = (name, values) => {
      const wanted = new Set((values || []).map(String));
      form.querySelectorAll(`input[name="${name}"]`).forEach((box) => {
        box.checked = wanted.delete(box.value);
      });
      return wanted;   // saved but not offered on this page (e.g. a topic hidden since)
    };
    tick("topics", record.topics).forEach((code) => {
      const label = document.createElement("label"), box = document.createElement("input");
      label.className = "check"; label.dataset.restored = "";
      box.type = "checkbox"; box.name = "topics"; box.value = code; box.checked = true;
      label.append(box, " " + code);
      form.querySelector("fieldset.topics").append(label);
    });
    tick("referrals", record.referrals);
    form.elements.follow_up_needed.checked = !!record.follow_up_needed;
    form.elements.follow_up_due.value = record.follow_up_due || "";
    form.elements.notes.value = record.notes || "";
    showNotesUnreadable(!!record.notes_unreadable);
    count();
  }
  // Stored notes no configured key opens: said so, and read-only, so a save never replaces them.
  function showNotesUnreadable(unreadable) {
    $("r-notes").readOnly = unreadable;
    $("notes-unreadable").hidden = !unreadable;
  }

  // ---- statuses: the record's, the draft's, and each required field's
  function recordStatus(text, kind) {
    $("record-status").textContent = text || "";
    $("record-status").className = kind || "";
  }
  function draftStatus(text, kind) {
    $("draft-status").textContent = text || "";
    $("draft-status").className = kind || "muted";
  }
  function fieldError(name, text) {
    const box = form.querySelector(`.field-error[data-field="${name}"]`);
    if (!box) return false;
    box.textContent = text || ""; box.hidden = !text;
    form.elements[name].setAttribute("aria-invalid", String(!!text));
    return true;
  }
  function clearFieldErrors() { Object.keys(REQUIRED).forEach((name) => fieldError(name, "")); }
  function count() {
    const notes = form.elements.notes, max = Number(notes.maxLength) || 0;
    $("notes-count").textContent = `${notes.value.length} / ${max}`;
    $("notes-count").classList.toggle("near-limit", max > 0 && notes.value.length >= max * 0.9);
  }

  // ---- the draft
  function scheduleDraft(ms) {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, ms);
  }
  function saveDraft(snapshot) {
    clearTimeout(draftTimer);
    if (!callId || loading || !dirty) return draftSending;
    const forCall = callId, body = snapshot || collect();
    dirty = false;
    draftSending = draftSending.then(async () => {
      const {ok, data} = await send(`/console/calls/${encodeURIComponent(forCall)}/draft`, body);
      if (callId !== forCall) return;
      if (ok) { draftStatus(fmt(T.draft_saved, {time: clockTime(data.saved_at)})); return; }
      draftStatus(T.draft_not_saved + (data.error ? " (" + data.error + ")" : ""), "error");
      if (!dirty) { dirty = true; scheduleDraft(DRAFT_RETRY_MS); }   // tried again, never dropped
    });
    return draftSending;
  }
  form.addEventListener("input", (e) => {
    if (e.target === form.elements.notes) count();
    if (e.target.name in REQUIRED && e.target.value) fieldError(e.target.name, "");
    if (!callId || loading) return;
    dirty = true;
    scheduleDraft(DRAFT_DELAY_MS);
  });
  form.addEventListener("change", (e) => {
    if (e.target.name in REQUIRED && e.target.value) fieldError(e.target.name, "");
    if (!callId || loading) return;
    dirty = true;
    scheduleDraft(DRAFT_DELAY_MS);
  });
  form.addEventListener("focusout", () => { if (dirty) saveDraft(); });
  // The console empties the form for another call: what was typed for this one is sent first.
  form.addEventListener("reset", () => { if (dirty) saveDraft(collect()); });
  // Leaving or reloading the page: what was typed since the last draft goes now, at once.
  window.addEventListener("pagehide", () => {
    if (!dirty || !callId || loading) return;
    dirty = false; clearTimeout(draftTimer);
    send(`/console/calls/${encodeURIComponent(callId)}/draft`, collect(), true);
  });

  // ---- loading what was saved (or the draft typed since)
  function busy(on) {
    Array.from(form.elements).forEach((el) => { el.disabled = on; });
    form.setAttribute("aria-busy", String(on));
  }
  function reset() {
    if (loading) { loading = 0; busy(false); }
    form.reset();
    dirty = false; clearTimeout(draftTimer);
    showNotesUnreadable(false);
    form.querySelectorAll("[data-restored]").forEach((el) => el.remove());
    clearFieldErrors(); recordStatus(""); draftStatus(""); count();
  }
  async function load(forCall) {
    const load = ++loads;
    loading = load; busy(true);
    recordStatus(T.record_loading);
    let record = null, error = null;
    try {
      const response = await fetch(`/console/calls/${encodeURIComponent(forCall)}/record`, {
        credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}});
      const data = await response.json().catch(() => null);
      if (response.ok && data && typeof data === "object" && "record" in data) record = data.record;
      else error = (data && data.error) || (response.ok ? window.Senim.notDone.server : "HTTP " + response.status);
    } catch (e) {
      error = e.message || window.Senim.notDone.offline;
    }
    if (loading !== load) return;   // another call, or the form was emptied meanwhile
    loading = 0; busy(false);
    if (callId !== forCall) return;
    if (error) recordStatus(fmt(T.record_load_failed, {error}), "error");
    else if (record && record.draft) {
      fill(record);
      recordStatus(fmt(T.draft_restored, {time: clockTime(record.draft_saved_at)}), "ok");
    } else if (record) { fill(record); recordStatus(T.record_restored, "ok"); }
    else recordStatus("");
  }

  // ---- saving: the required fields first, said at the field; the draft is settled before
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!callId || loading) return;
    const forCall = callId, body = collect();
    clearFieldErrors();
    const missing = Object.keys(REQUIRED).filter((name) => !body[name]);
    if (missing.length) {
      missing.forEach((name) => fieldError(name, REQUIRED[name]));
      recordStatus(missing.length === 2 && isEmpty(body) ? T.record_empty : T.not_saved_fields, "error");
      form.elements[missing[0]].focus();
      return;
    }
    clearTimeout(draftTimer); dirty = false;
    await draftSending;                 // a draft sent earlier never lands after the record
    const {ok, data} = await send(`/console/calls/${encodeURIComponent(forCall)}/record`, body);
    if (callId !== forCall) return;
    if (ok) {
      recordStatus(T.saved + (data.escalation_id ? " · " + T.escalated : ""), "ok");
      draftStatus("");
      hideUnsaved(forCall);
      return;
    }
    if (!(data.field in REQUIRED && fieldError(data.field, REQUIRED[data.field]))) recordStatus(data.error, "error");
    else recordStatus(T.not_saved_fields, "error");
    dirty = true; scheduleDraft(DRAFT_DELAY_MS);   // not saved: the draft still keeps it
  });
  function isEmpty(body) {
    return !body.age_band && !body.consent && !body.topics.length && !body.referrals.length
      && !body.follow_up_needed && !body.follow_up_due && !body.notes.trim();
  }

  // ---- the console's choice when a new call is refused: the last call's record is unsaved
  const unsaved = $("unsaved-record");
  let unsavedCall = null, retryAfter = null;
  function hideUnsaved(forCall) {
    if (!unsaved || (forCall && forCall !== unsavedCall)) return;
    unsaved.hidden = true; unsavedCall = null; retryAfter = null;
    $("unsaved-record-status").textContent = "";
  }
  function refused(reply, retry) {
    if (!unsaved || !reply || !reply.unsaved_call_id) return false;
    unsavedCall = reply.unsaved_call_id; retryAfter = retry || null;
    $("btn-unsaved-open").href = `/console/my-calls/${encodeURIComponent(unsavedCall)}`;
    $("unsaved-record-status").textContent = "";
    unsaved.hidden = false;
    $("btn-unsaved-open").focus();
    return true;
  }
  if (unsaved) {
    // The record is on this screen already (its wrap-up): go to the first field to fill.
    $("btn-unsaved-open").addEventListener("click", (e) => {
      if (unsavedCall !== callId || $("record").hidden) return;
      e.preventDefault();
      const first = Object.keys(REQUIRED).find((name) => !form.elements[name].value) || "caller_type";
      form.elements[first].focus();
    });
    $("btn-save-later").addEventListener("click", async () => {
      const later = unsavedCall, retry = retryAfter;
      if (!later) return;
      $("btn-save-later").disabled = true;
      $("unsaved-record-status").textContent = T.deferring;
      if (later === callId) await saveDraft();       // what is typed is kept before it is put off
      const {ok, data} = await send(`/console/calls/${encodeURIComponent(later)}/finish-later`);
      $("btn-save-later").disabled = false;
      if (!ok) { $("unsaved-record-status").textContent = fmt(T.defer_failed, {error: data.error || ""}); return; }
      hideUnsaved(later);
      if (retry) retry();
    });
  }

  window.contactRecord = {
    setCall(id) { if (id !== callId && dirty) saveDraft(); callId = id || null; },
    reset, load, refused, send,
  };
  count();
  if (callId) load(callId);            // a past call's page: its record, or the draft typed since
})();
