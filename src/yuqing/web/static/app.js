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
  // the scheme switcher goes at once (a <noscript> button otherwise)
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]")) ev.target.form.submit();
  });
  // a confirm step for forms that ask for one (data-confirm), without inline handlers
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.dataset && ev.target.dataset.confirm;
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // a list's 全选 box ticks every row box of its form (data-check-all), and the bulk buttons
  // say how many rows are ticked
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    var form = box.form;
    if (!form) return;
    if (box.dataset && box.dataset.checkAll) {
      form.querySelectorAll("input[name='" + box.dataset.checkAll + "']").forEach(function (b) { b.checked = box.checked; });
    }
    var counter = form.querySelector("[data-ticked]");
    if (counter) counter.textContent = form.querySelectorAll("input[name='ids']:checked").length;
  });
})();
