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
