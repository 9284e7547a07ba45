// The only script the site needs beyond htmx: CSRF for htmx requests, and focus after swaps.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.documentElement.classList.add("js"); // hides buttons only needed without JavaScript

  document.addEventListener("htmx:configRequest", function (event) {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });

  function focusFirst(root) {
    var target = (root || document).querySelector("[data-autofocus]");
    if (target) target.focus();
  }

  // An error summary takes focus, so screen reader users hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () { focusFirst(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusFirst(event.detail.elt); });
})();
