// Copy-link button on a credential's public page (the link field works without it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = "Link copied."; }
      }, function () {
        field.select();
        if (status) { status.textContent = "Press Ctrl+C (or Cmd+C) to copy."; }
      });
    });
  });
});
