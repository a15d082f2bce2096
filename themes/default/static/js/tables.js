/* On a narrow screen a wide table scrolls sideways inside itself (milepost.css). A keyboard can
   only scroll a box it can reach, so each table (or .table-scroll box) that overflows gets a tab
   stop, and loses it again when the window is wide enough for it to fit. */
(function () {
  "use strict";
  function update() {
    document.querySelectorAll("table, .table-scroll").forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-stop", "");
      } else if (!overflows && box.hasAttribute("data-scroll-stop")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-stop");
      }
    });
  }
  update();
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
})();
