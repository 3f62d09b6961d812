/* Progressive enhancement only: every page works without JavaScript.
   Idle warning: the server signs a patient out after the idle timeout whatever happens here; this only
   warns shortly before, and offers to stay signed in (a GET of the keepalive URL counts as activity). */
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.getAttribute("data-idle-timeout") || "0", 10);
  var warning = parseInt(body.getAttribute("data-idle-warning") || "0", 10);
  if (!timeout || !warning || timeout <= warning) { return; }
  var box, timerWarn, timerOut;
  function schedule() {
    window.clearTimeout(timerWarn); window.clearTimeout(timerOut);
    timerWarn = window.setTimeout(show, (timeout - warning) * 1000);
    timerOut = window.setTimeout(function () {
      window.location.href = body.getAttribute("data-idle-logout-url") + "?expired=1";
    }, timeout * 1000 + 2000);
  }
  function show() {
    if (!box) {
      box = document.createElement("div");
      box.className = "idle-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-labelledby", "idle-warning-text");
      var p = document.createElement("p");
      p.id = "idle-warning-text";
      p.textContent = "For your privacy you will be signed out in " + Math.round(warning / 60) +
        " minute(s) because there has been no activity.";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Stay signed in";
      button.addEventListener("click", function () {
        // The keepalive URL counts as activity without re-reading (and re-auditing) a record page.
        fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin" })
          .then(function () { box.hidden = true; schedule(); });
      });
      box.appendChild(p); box.appendChild(button);
      document.body.appendChild(box);
    }
    box.hidden = false;
    box.querySelector("button").focus();
  }
  schedule();
}());
