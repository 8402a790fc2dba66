// yuqing dashboard: draws the charts whose ECharts options the server put in JSON data islands
// (<script type="application/json" data-chart="ID">), and again after htmx swaps a part in.
// No inline scripts anywhere: the Content-Security-Policy allows scripts from this server only.
(function () {
  "use strict";
  function draw(root) {
    if (typeof echarts === "undefined") return;   // the page's tables still say everything
    root.querySelectorAll("script[data-chart]").forEach(function (island) {
      var el = document.getElementById(island.dataset.chart);
      if (!el) return;
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(island.textContent), true);
      el.dataset.drawn = "1";
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-drawn]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { draw(ev.target); });
  // a confirm step for forms that ask for one (data-confirm), without inline handlers
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.dataset && ev.target.dataset.confirm;
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
})();
