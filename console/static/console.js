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
