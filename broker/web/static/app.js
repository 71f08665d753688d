// Long-polls the booking's status (same origin, the session's cookie) and
// updates the page in place until the booking is final. Without script
// the page's meta refresh and its link do the same.
(function () {
  "use strict";
  var card = document.querySelector("article.booking[data-booking]");
  if (!card) { return; }
  var id = card.getAttribute("data-booking");
  var status = document.getElementById("status-" + id);
  var reason = document.getElementById("reason-" + id);
  var reasonRow = document.getElementById("reason-row-" + id);
  var waiting = document.getElementById("waiting-" + id);
  var delay = 1000;
  function show(b) {
    status.textContent = b.status_text;
    status.className = "status status-" + b.status;
    if (b.reason) {
      reason.textContent = b.reason;
      reasonRow.hidden = false;
    }
    if (b.final && waiting) { waiting.hidden = true; }
  }
  function poll() {
    fetch("/bookings/" + encodeURIComponent(id) + "/status", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (b) {
        delay = 1000;
        if (b.final && card.hasAttribute("data-moving")) {
          location.reload(); // the booking stands at its new time: show it
          return;
        }
        show(b);
        // The server holds each poll until a change (or 20 s); a move keeps
        // the status final meanwhile, so never ask more than once a second.
        if (!b.final) { setTimeout(poll, 1000); }
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); setTimeout(poll, delay); });
  }
  poll();
})();
