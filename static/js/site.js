// The only script the site needs beyond htmx: CSRF for htmx requests, focus after swaps, and
// an upload's progress.
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

  // A file upload shows its progress: the form's <progress> appears when the upload starts,
  // and fills as htmx reports the bytes sent.
  function uploadBar(event) {
    return event.target.querySelector && event.target.querySelector("[data-upload-progress]");
  }
  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var bar = uploadBar(event);
    if (bar) bar.parentNode.hidden = false;
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = uploadBar(event);
    if (!bar || !event.detail.lengthComputable || !event.detail.total) return;
    var done = Math.round((event.detail.loaded / event.detail.total) * 100);
    bar.parentNode.hidden = false;
    bar.value = done;
    bar.textContent = done + "%";
  });
})();
