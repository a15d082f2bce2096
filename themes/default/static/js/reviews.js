/* Review page: as the reviewer picks levels, say whether the scores support "meets" (the server applies the
   same rule, reviews/services/decision.py, and refuses a "meets" they do not support). Without JavaScript
   the message the server rendered stays, and the rule still holds on submit. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-meets-check]");
  if (!form) { return; }
  var status = document.getElementById("meets-check");
  var meetsIndex = form.getAttribute("data-meets-index");
  var count = parseInt(form.getAttribute("data-criteria"), 10) || 0;
  var holistic = form.getAttribute("data-holistic") === "yes";
  var holisticBox = document.getElementById("holistic");

  function name(i) {
    var legend = form.querySelector("#criterion-" + i + " legend");
    return legend ? legend.textContent.trim() : "Criterion " + (i + 1);
  }
  function quoted(names) { return names.map(function (n) { return "\u201c" + n + "\u201d"; }).join(", "); }

  function check() {
    var below = [], unscored = 0, meets = meetsIndex === "" ? null : parseInt(meetsIndex, 10);
    for (var i = 0; i < count; i++) {
      var chosen = form.querySelector("input[name='level-" + i + "']:checked");
      if (!chosen) { unscored++; continue; }
      if (meets !== null && parseInt(chosen.value, 10) < meets) { below.push(name(i)); }
    }
    var decision = form.querySelector("select[name=decision]");
    var wantsMeets = decision && decision.value === "meets";
    if (holisticBox) { holisticBox.hidden = !(below.length && (wantsMeets || holisticBox.querySelector("textarea").value)); }
    if (!status) { return; }
    var level = status.getAttribute("data-meets-name");
    if (below.length) {
      status.className = "meets-check short";
      status.textContent = "These scores do not support \u201cmeets\u201d: " + quoted(below) +
        (below.length === 1 ? " is" : " are") + " below \u201c" + level + "\u201d." +
        (holistic ? " A holistic \u201cmeets\u201d needs your reason." : "");
    } else if (unscored) {
      status.className = "meets-check";
      status.textContent = "Score every criterion to see whether the scores support \u201cmeets\u201d (" +
        unscored + " still to score).";
    } else {
      status.className = "meets-check supports";
      status.textContent = "These scores support \u201cmeets\u201d: every criterion is at \u201c" + level + "\u201d or above.";
    }
  }
  form.addEventListener("change", check);
  check();
})();

/* Review page: the draft is kept on the server while the reviewer works (like the teacher's autosave), so a
   closed tab or an expired session loses nothing; "Save draft" and "Submit review" still post the form. */
(function () {
  "use strict";
  var form = document.querySelector("form.review-form[data-autosave-url]");
  if (!form) { return; }
  var status = form.querySelector("[data-autosave-status]");
  var timer = null, sending = false, again = false, submitting = false;

  function say(text) { if (status) { status.textContent = text; } }
  function time() { return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  function save() {
    timer = null;
    if (submitting) { return; }
    if (sending) { again = true; return; }
    sending = true;
    var body = new FormData(form);
    body.set("action", "save");
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": body.get("csrf_token") }
    }).then(function (r) {
      if (r.ok) { say("Draft saved at " + time() + ". It counts only once you submit it."); return; }
      return r.json().then(function (j) {
        say("Draft not saved: " + ((j && j.error && j.error.message) || "please sign in again in another tab") +
            " What you typed is still on this page.");
      }, function () { say("Draft not saved: you may be signed out. What you typed is still on this page."); });
    }, function () {
      say("Offline: the draft is not saved yet. What you typed is still on this page.");
    }).then(function () {
      sending = false;
      if (again) { again = false; save(); }
    });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", function () {
    submitting = true;
    if (timer) { clearTimeout(timer); timer = null; }
  });
})();
