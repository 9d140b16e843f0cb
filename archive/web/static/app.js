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
    var pace = document.getElementById(pair[1] + "-pace");
    if (!bar) return;
    var timer = setInterval(function () {
      fetch(status.getAttribute("data-status-url"), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var job = s[pair[1]] || {};
          // A count never goes back within one total (polls may answer out of order).
          var total = job.total || 1;
          bar.value = total === bar.max ? Math.max(bar.value, job.done || 0) : (job.done || 0);
          bar.max = total;
          if (pace && job.pace) pace.textContent = job.pace;
          if (job.status !== "running") { clearInterval(timer); window.location.reload(); }
        });
    }, 1000);
  });
});

// Search as you type: the search box is an ARIA combobox over /api/suggest.
// Without this script it stays a plain form.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) return;
  var KINDS = {individual: "个人", team: "班组", company: "单位", operator: "运营商"};
  var items = [], active = -1, timer = null, asked = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function select(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", "q-option-" + index);
    else input.removeAttribute("aria-activedescendant");
  }

  function show(found) {
    list.textContent = "";
    items = found;
    active = -1;
    if (!found.length) { close(); return; }
    found.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      text.textContent = item.text;  // text, never HTML
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = KINDS[item.kind] || "";
      li.appendChild(text);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep the focus in the box
        window.location.href = item.url;
      });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); return; }
    var mine = ++asked;
    var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text);
    fetch(url, {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
      .then(function (data) { if (mine === asked) show(data.suggestions || []); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      select((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      select(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].url;
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
});

// Phones: the search filters start folded above the results (the chips of the chosen
// ones stay in view); without this file the panel is simply open.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("filter-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 720px)").matches) {
    panel.open = false;
  }
});

// Times on the admin pages: Beijing time as written, and how long ago, kept up to date.
document.addEventListener("DOMContentLoaded", function () {
  var times = document.querySelectorAll("time[data-relative]");
  if (!times.length) return;
  function ago(then) {
    var minutes = Math.round((Date.now() - then) / 60000);
    if (minutes < 1) return "刚刚";
    if (minutes < 60) return minutes + " 分钟前";
    if (minutes < 48 * 60) return Math.round(minutes / 60) + " 小时前";
    return Math.round(minutes / 1440) + " 天前";
  }
  function update() {
    times.forEach(function (t) {
      var then = Date.parse(t.getAttribute("datetime"));
      if (isNaN(then)) return;
      if (!t.hasAttribute("data-absolute")) t.setAttribute("data-absolute", t.textContent);
      t.textContent = t.getAttribute("data-absolute") + "（" + ago(then) + "）";
    });
  }
  update();
  setInterval(update, 30000);
});
