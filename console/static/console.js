// Canned replies: a standard phrase button puts its text into the reply box.
document.addEventListener("click", function (e) {
  var b = e.target.closest("button.phrase");
  if (!b) return;
  var box = document.getElementById("reply-text");
  box.value = (box.value ? box.value + " " : "") + b.dataset.text;
  box.focus();
});
