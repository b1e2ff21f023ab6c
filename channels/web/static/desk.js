// intake desk: live updates over server-sent events. Without JavaScript the
// desk works the same; pages then refresh when reloaded.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  if (!live || !window.EventSource) { return; }
  var status = document.querySelector("[data-live-status]");
  function say(on) { if (status) { status.textContent = on ? status.dataset.msgLive : status.dataset.msgOffline; } }
  function swap(url, target, pick) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      var active = document.activeElement;
      if (active && target.contains(active) && (active.tagName === "TEXTAREA" || active.tagName === "INPUT")) {
        return; // never wipe what an agent is typing; the next change brings it
      }
      if (pick) {
        var doc = new DOMParser().parseFromString("<main>" + html + "</main>", "text/html");
        var fresh = doc.querySelector(pick);
        if (fresh) { target.replaceWith(fresh); }
      } else {
        target.innerHTML = html;
      }
    }).catch(function () { say(false); });
  }
  var es = new EventSource("/desk/events");
  es.addEventListener("open", function () { say(true); });
  es.addEventListener("error", function () { say(false); });
  es.addEventListener("change", function (ev) {
    var ids = ev.data.split(",");
    live = document.querySelector("[data-live]") || live;
    if (live.dataset.live === "queue") {
      var tier = live.dataset.tier ? "?tier=" + encodeURIComponent(live.dataset.tier) : "";
      swap("/desk/queue" + tier, document.getElementById("queue"));
    } else if (live.dataset.live === "incident" && ids.indexOf(live.dataset.incident) >= 0) {
      var box = document.getElementById("incident");
      swap("/desk/incidents/" + live.dataset.incident + "/conversation", box, "#incident");
    }
  });
})();
