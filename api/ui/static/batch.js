// The batch progress page reloads itself while jobs are unfinished; the checkbox pauses that (remembered for
// the tab), so nobody loses their place against their will.
"use strict";
(function () {
  const box = document.getElementById("auto-refresh");
  if (!box) return;
  const seconds = parseInt(document.getElementById("refresh").dataset.seconds, 10) || 3;
  box.checked = sessionStorage.getItem("fapiao-batch-refresh") !== "off";
  box.addEventListener("change", () => sessionStorage.setItem("fapiao-batch-refresh", box.checked ? "on" : "off"));
  setInterval(() => { if (box.checked) window.location.reload(); }, seconds * 1000);
})();
