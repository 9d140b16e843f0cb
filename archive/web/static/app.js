// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = "已复制";
      });
    });
  });
});

// Admin status page: follow a running re-index or import without reloading.
document.addEventListener("DOMContentLoaded", function () {
  var status = document.getElementById("status");
  if (!status || !window.fetch) return;
  [["reindex-progress", "reindex"], ["import-progress", "import"]].forEach(function (pair) {
    var bar = document.getElementById(pair[0]);
    if (!bar) return;
    var timer = setInterval(function () {
      fetch(status.getAttribute("data-status-url"), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var job = s[pair[1]] || {};
          bar.max = job.total || 1;
          bar.value = job.done || 0;
          if (job.status !== "running") { clearInterval(timer); window.location.reload(); }
        });
    }, 1000);
  });
});
