// The resident's web chat: talks to /chat/api/* and polls for messages pushed later (status changes,
// staff replies, reminders). No framework; works on old phone browsers.
//
// Sending is reliable: every message gets a client id and waits in an outbox (kept in localStorage, so a
// reload loses nothing) until the server acknowledges it; while the server cannot be reached the page
// tries again with the same id (the server handles an id once), after a growing pause and whenever the
// phone comes back online. Choices work once: a tap disables the set, and only the newest set is active.
// Every text the page shows comes from the page itself (#texts), in the chat's language.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var LANG = document.documentElement.lang;
  var OUTBOX = "deskChatOutbox";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var photo = document.getElementById("photo");
  var counter = document.getElementById("counter");
  var typing = document.getElementById("typing");
  var alertBox = document.getElementById("alert");
  var seen = {};        // message ids already shown
  var mine = {};        // client id -> the resident's bubble shown for it
  var lastId = 0;
  var session = localStorage.getItem("deskChatSession");
  var outbox = loadOutbox();
  var sending = false;
  var retryTimer = null;
  var pause = 0;
  var activeChoices = null;

  // ---- small helpers -------------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function headers(json) {
    var h = { "X-Chat-Session": session || "", "Accept-Language": LANG };
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showAlert(text) {
    alertBox.textContent = text || "";
    alertBox.hidden = !text;
    scrollDown();  // the log just got shorter or taller: keep the newest message in view
  }

  // ---- how a message looks -------------------------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "14:05" today, "11-20 14:05" earlier this year, "2025-11-20 14:05" before; local time.
  function when(iso) {
    var d = iso ? new Date(iso) : null;
    if (!d || isNaN(d.getTime())) return "";
    var now = new Date();
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return time;
    var day = pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    return (d.getFullYear() === now.getFullYear() ? day : d.getFullYear() + "-" + day) + " " + time;
  }

  // Phone numbers become tel: links: mobiles (13812345678), landlines (0731-88886666), 400/800 lines.
  var PHONE = /(^|[^\d-])((?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[48]00-?\d{3}-?\d{4}))(?![\d])/g;

  function fillText(node, text) {
    var at = 0;
    var match;
    PHONE.lastIndex = 0;
    while ((match = PHONE.exec(text)) !== null) {
      var start = match.index + match[1].length;
      node.appendChild(document.createTextNode(text.slice(at, start)));
      var link = el("a", "tel", match[2]);
      link.href = "tel:" + match[2].replace(/[^\d+]/g, "");
      node.appendChild(link);
      at = start + match[2].length;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  function thumbnail(src) {
    var link = el("a", "thumb");
    link.href = src;
    link.target = "_blank";
    link.rel = "noopener";
    var img = el("img");
    img.src = src;
    img.alt = T.photo;
    img.loading = "lazy";
    link.appendChild(img);
    return link;
  }

  // One bubble: the text (with phone links), photos, and a line with the time and, for the resident's
  // own messages, whether it was sent.
  function bubble(from, text, at, photos) {
    var div = el("div", "msg " + from);
    if (text) { var body = el("p", "text"); fillText(body, text); div.appendChild(body); }
    (photos || []).forEach(function (src) { div.appendChild(thumbnail(src)); });
    var meta = el("p", "meta");
    var time = el("time", "", when(at));
    if (at) time.setAttribute("datetime", at);
    meta.appendChild(time);
    meta.appendChild(el("span", "state"));
    div.appendChild(meta);
    log.appendChild(div);
    scrollDown();
    return div;
  }

  function setState(div, state, text) {
    if (!div) return;
    div.setAttribute("data-state", state);
    div.querySelector(".state").textContent = text || "";
  }

  function photoUrls(m) {
    return (m.photos || []).map(function (id) { return "/chat/api/photo/" + encodeURIComponent(id); });
  }

  // ---- choices: single use, only the newest set active ---------------------------------------------
  function retireChoices(chosen) {
    var box = activeChoices;
    if (!box) return;
    activeChoices = null;
    box.className = "choices used";
    Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) {
      b.disabled = true;
      if (b === chosen) { b.className = "chosen"; b.setAttribute("aria-pressed", "true"); }
    });
  }

  function choicesOf(m) {
    retireChoices(null);
    var box = el("div", "choices");
    box.setAttribute("role", "group");
    m.choices.forEach(function (c) {
      var b = el("button", "", c.label);
      b.type = "button";
      b.addEventListener("click", function () {
        if (b.disabled || activeChoices !== box) return;
        retireChoices(b);
        var body = { choice: c.payload };
        if (typeof m.offer === "number") body.offer = m.offer;
        submit(body, c.label);
      });
      box.appendChild(b);
    });
    log.appendChild(box);
    activeChoices = box;
    scrollDown();
  }

  // A message from the centre (a reply, or pushed later).
  function show(m) {
    if (m.id && seen[m.id]) return;
    if (m.id) { seen[m.id] = true; lastId = Math.max(lastId, m.id); }
    bubble("centre", m.text, m.at, photoUrls(m));
    if (m.choices && m.choices.length) choicesOf(m);
    document.querySelector(".photo").className = m.request_photo ? "photo wanted" : "photo";
  }

  // A resident's message in the history (after a reload, or sent from another tab). The "start" command
  // the page sends by itself on a first visit is not something the resident said.
  function showMine(m) {
    if (m.id) { seen[m.id] = true; lastId = Math.max(lastId, m.id); }
    if ((m.client_id && mine[m.client_id]) || m.text === "/start") return;
    retireChoices(null);
    var div = bubble("resident", m.text, m.at, photoUrls(m));
    if (m.client_id) mine[m.client_id] = div;
  }

  // ---- the outbox: kept until acknowledged, tried again with the same client id ----------------------
  function loadOutbox() {
    try {
      var stored = JSON.parse(localStorage.getItem(OUTBOX) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) { return []; }
  }

  function saveOutbox() {
    // Photos stay in memory only (too large for localStorage); texts and taps survive a reload.
    var kept = outbox.filter(function (item) { return !item.file; }).map(function (item) {
      return { id: item.id, body: item.body, shown: item.shown, at: item.at };
    });
    try { localStorage.setItem(OUTBOX, JSON.stringify(kept)); } catch (e) { /* storage full: memory only */ }
  }

  function pendingBubble(item) {
    if (!item.shown && !item.file) return null;
    var photos = item.file ? [URL.createObjectURL(item.file)] : [];
    var div = bubble("resident", item.shown, item.at, photos);
    setState(div, "sending", item.file ? T.uploading : T.sending);
    mine[item.id] = div;
    return div;
  }

  function submit(body, shown, file) {
    var item = { id: newId(), body: body, shown: shown, at: new Date().toISOString(), file: file };
    if (shown || file) retireChoices(null);
    pendingBubble(item);
    outbox.push(item);
    saveOutbox();
    flush();
  }

  function post(item) {
    var options = { method: "POST", headers: headers(!item.file), credentials: "same-origin" };
    if (item.file) {
      var data = new FormData();
      data.append("photo", item.file);
      data.append("client_id", item.id);
      options.body = data;
    } else {
      options.body = JSON.stringify(Object.assign({}, item.body, { client_id: item.id }));
    }
    return fetch("/chat/api/send", options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { r: r, body: body }; });
    });
  }

  function setSending(on) {
    sending = on;
    typing.hidden = !on;
    if (on) { log.appendChild(typing); scrollDown(); }
  }

  function flush() {
    if (sending || !outbox.length || !session) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    var item = outbox[0];
    setSending(true);
    post(item).then(function (res) {
      setSending(false);
      if (res.r.status >= 500 || res.r.status === 408) return tryLater(item);
      done(item, res);
    }, function () {
      setSending(false);
      tryLater(item);
    });
  }

  function done(item, res) {
    outbox.shift();
    saveOutbox();
    pause = 0;
    showAlert("");
    if (res.r.ok) {
      setState(mine[item.id], "sent", item.shown || item.file ? T.sent : "");
      (res.body.replies || []).forEach(show);
    } else {
      if (res.r.status === 401) { localStorage.removeItem("deskChatSession"); session = null; }
      var why = res.body.message || T.error;
      setState(mine[item.id], "failed", T.failed);
      showAlert(why);
      if (!mine[item.id]) bubble("centre", why);
    }
    flush();
  }

  function tryLater(item) {
    setState(mine[item.id], "retrying", T.retrying);
    showAlert(T.offline);
    pause = Math.min(pause ? pause * 2 : 1000, 20000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, pause);
  }

  function tryNow() { pause = 0; flush(); }
  window.addEventListener("online", tryNow);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tryNow(); });

  // ---- polling and start -----------------------------------------------------------------------------
  function poll() {
    if (!session) return;
    fetch("/chat/api/poll?after=" + lastId, { headers: headers(false), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (body) {
        body.messages.forEach(function (m) {
          if (m.from !== "resident") return show(m);
          if (m.client_id) return showMine(m);
          seen[m.id] = true;
          lastId = Math.max(lastId, m.id);
        });
      })
      .catch(function () {});
  }

  function history(messages) {
    var known = {};
    messages.forEach(function (m) {
      if (m.client_id) known[m.client_id] = true;
      if (m.from === "resident") showMine(m); else show(m);
    });
    // Messages the server already has (its history names their client ids) leave the outbox; the others
    // are shown again as waiting (unless typed on this page before the history came).
    outbox = outbox.filter(function (item) { return !known[item.id]; });
    outbox.forEach(function (item) { if (!mine[item.id]) pendingBubble(item); });
    saveOutbox();
    if (!messages.length && !outbox.length) submit({ command: "start" }, null);
    flush();
  }

  function about() {
    fetch("/chat/api/about", { headers: headers(false), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (b) { if (b.estate) document.getElementById("estate").textContent = b.estate; })
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
      return r.json().then(function (body) { history(body.messages); about(); setInterval(poll, 3000); });
    }).catch(function () { showAlert(T.offline); setTimeout(start, 3000); });
  }

  // ---- the composer, the photo button and the language switch ---------------------------------------
  function tooLong() { return input.value.length > T.maxText; }

  function count() {
    var n = input.value.length;
    input.style.height = "";  // grows with what is typed, up to the stylesheet's max-height
    if (input.scrollHeight > input.clientHeight) input.style.height = input.scrollHeight + 2 + "px";
    counter.hidden = n < T.maxText * 0.9;
    counter.textContent = n + " / " + T.maxText;
    counter.className = tooLong() ? "counter over" : "counter";
    scrollDown();
    if (!tooLong() && alertBox.textContent === T.tooLong) showAlert("");
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (tooLong()) { showAlert(T.tooLong); input.focus(); return; }
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    count();
    submit({ text: text }, text);
  });

  input.addEventListener("input", count);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
  });

  photo.addEventListener("change", function () {
    if (!photo.files.length) return;
    submit({}, "", photo.files[0]);
    photo.value = "";
  });

  Array.prototype.forEach.call(document.querySelectorAll(".lang"), function (b) {
    b.addEventListener("click", function () {
      if (b.getAttribute("aria-pressed") === "true" || !session) return;
      fetch("/chat/api/lang", { method: "POST", headers: headers(true), credentials: "same-origin",
        body: JSON.stringify({ locale: b.getAttribute("data-locale") }) })
        .then(function (r) { if (r.ok) location.reload(); else showAlert(T.error); })
        .catch(function () { showAlert(T.offline); });
    });
  });

  start();
})();
