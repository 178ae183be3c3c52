// Canned replies: a standard phrase button puts its text into the reply box.
document.addEventListener("click", function (e) {
  var b = e.target.closest("button.phrase");
  if (!b) return;
  var box = document.getElementById("reply-text");
  box.value = (box.value ? box.value + " " : "") + b.dataset.text;
  box.focus();
});

// Buttons that print the page (the binding-code slip) and links back: no inline script (the CSP forbids it).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { window.print(); return; }
  if (e.target.closest("a[data-back]") && history.length > 1) { e.preventDefault(); history.back(); }
});

// The live console (issue #13): one EventSource per page (/console/events, server-sent events of the staff
// member's estates). Each event refreshes, without a reload, what this page shows of it: the bell, the
// inbox's waiting count and rows, the open conversation's lines, the queue's rows, the ticket's timeline;
// a resident waiting for a person, 催单 and a new urgent ticket also show a short notice (role=status).
(function () {
  var url = document.body && document.body.dataset.events;
  if (!url || !window.EventSource || !window.htmx) return;
  var pending = {};
  function soon(key, work) { // several events in one burst: one request
    clearTimeout(pending[key]);
    pending[key] = setTimeout(work, 120);
  }
  function refresh(selector, path, extra) {
    var el = document.querySelector(selector);
    if (!el) return null;
    var options = { source: selector, target: selector, swap: "innerHTML" }; // its own source: no waiting on the others
    for (var k in extra || {}) options[k] = extra[k];
    return htmx.ajax("GET", path, options);
  }
  function lines(chatId) {
    var box = document.getElementById("live-lines");
    var page = document.querySelector(".live[data-chat-id]");
    if (!box || !page || String(chatId) !== page.dataset.chatId) return;
    soon("lines", function () {
      var done = refresh("#live-lines", box.getAttribute("hx-get"));
      if (done) done.then(function () { box.lastElementChild && box.lastElementChild.scrollIntoView({ block: "nearest" }); });
    });
  }
  function timeline(ticketId) {
    var page = document.querySelector(".ticket[data-ticket-id]");
    if (!page || String(ticketId) !== page.dataset.ticketId) return;
    soon("timeline", function () {
      refresh(".timeline", location.pathname, { select: ".timeline > li" });
    });
  }
  var notice = document.getElementById("live-notice");
  var hide;
  function tell(kind) {
    var words = notice && notice.dataset[kind];
    if (!words) return;
    notice.textContent = words;
    notice.hidden = false;
    clearTimeout(hide);
    hide = setTimeout(function () { notice.hidden = true; }, 20000);
  }
  function heard(kind, data) {
    soon("bell", function () { refresh("#bell", "/console/bell"); });
    if (kind.indexOf("live_") === 0) {
      soon("waiting", function () { refresh("#inbox-waiting", "/console/inbox/waiting"); });
      soon("inbox", function () { refresh("#inbox-rows", "/console/inbox?fragment=true"); });
      lines(data.live_chat_id);
    }
    if (data.ticket_id) {
      var rows = document.getElementById("rows");
      if (rows && rows.getAttribute("hx-get")) soon("rows", function () { refresh("#rows", rows.getAttribute("hx-get")); });
      timeline(data.ticket_id);
    }
    tell(kind);
  }
  var kinds = ["live_waiting", "live_message", "live_claimed", "live_reply", "live_closed",
               "ticket_message", "ticket_urged", "ticket_urgent", "ticket_changed"];
  var source = new EventSource(url);
  kinds.forEach(function (kind) {
    source.addEventListener(kind, function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { /* an event without data still refreshes */ }
      heard(kind, data);
    });
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
