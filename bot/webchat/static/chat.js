// The resident's web chat: talks to /chat/api/* and polls for messages pushed later (status changes,
// staff replies, reminders). No framework; works on old phone browsers.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var photo = document.getElementById("photo");
  var strings = document.getElementById("strings").dataset;
  var seen = {};
  var lastId = 0;
  var session = localStorage.getItem("deskChatSession");

  function headers(json) {
    var h = { "X-Chat-Session": session || "" };
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  function notice(text) {
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
  }

  function show(m) {
    if (m.id && seen[m.id]) return;
    if (m.id) { seen[m.id] = true; lastId = Math.max(lastId, m.id); }
    var div = document.createElement("div");
    div.className = "msg " + (m.from === "resident" ? "resident" : "centre");
    div.textContent = m.text;
    log.appendChild(div);
    if (m.choices && m.choices.length) {
      var box = document.createElement("div");
      box.className = "choices";
      m.choices.forEach(function (c) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = c.label;
        b.addEventListener("click", function () {
          box.className = "choices used";
          send({ choice: c.payload }, c.label);
        });
        box.appendChild(b);
      });
      log.appendChild(box);
    }
    document.querySelector(".photo").className = m.request_photo ? "photo wanted" : "photo";
    log.scrollTop = log.scrollHeight;
  }

  function mine(text) {
    var div = document.createElement("div");
    div.className = "msg resident";
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function handle(r) {
    return r.json().then(function (body) {
      if (r.status === 401) { localStorage.removeItem("deskChatSession"); session = null; }
      if (!r.ok) { notice(body.message || strings.error); return; }
      (body.replies || []).forEach(show);
    });
  }

  function send(body, shown) {
    if (shown) mine(shown);
    return fetch("/chat/api/send", { method: "POST", headers: headers(true), body: JSON.stringify(body), credentials: "same-origin" })
      .then(handle).catch(function () { notice(strings.offline); });
  }

  function poll() {
    if (!session) return;
    fetch("/chat/api/poll?after=" + lastId, { headers: headers(false), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (body) { body.messages.forEach(function (m) { if (m.from !== "resident" || !seen[m.id]) { if (m.from === "resident") { seen[m.id] = true; lastId = Math.max(lastId, m.id); } else show(m); } }); })
      .catch(function () {});
  }

  function start() {
    var ready = session ? Promise.resolve() :
      fetch("/chat/api/session", { method: "POST", credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (b) { session = b.session; localStorage.setItem("deskChatSession", session); });
    ready.then(function () {
      return fetch("/chat/api/poll?after=0", { headers: headers(false), credentials: "same-origin" });
    }).then(function (r) {
      if (r.status === 401) { localStorage.removeItem("deskChatSession"); session = null; return start(); }
      return r.json().then(function (body) {
        if (!body.messages.length) return send({ command: "start" });
        body.messages.forEach(function (m) { if (m.from === "resident") { seen[m.id] = true; mine(m.text); } else show(m); });
      });
    }).then(function () { setInterval(poll, 3000); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text: text }, text);
  });

  photo.addEventListener("change", function () {
    if (!photo.files.length) return;
    var data = new FormData();
    data.append("photo", photo.files[0]);
    notice(strings.uploading);
    fetch("/chat/api/send", { method: "POST", headers: headers(false), body: data, credentials: "same-origin" })
      .then(handle).catch(function () { notice(strings.offline); });
    photo.value = "";
  });

  start();
})();
