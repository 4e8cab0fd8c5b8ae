// Draws the charts of a quality report's web page with ECharts (no inline script: CSP).
// Each chart is an element with data-report-chart="<id>", where <id> is a json_script element
// holding {kind: "bar"|"line", title, unit, horizontal, stacked, categories, series: [{name, data}]}.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  const font = getComputedStyle(document.body).fontFamily;
  const palette = ["#0d6efd", "#9ec5fe", "#dc3545", "#198754", "#fd7e14", "#6f42c1"];
  const charts = [];

  function draw(element) {
    const source = document.getElementById(element.dataset.reportChart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const horizontal = spec.horizontal;
    const rows = spec.categories.length;
    element.style.width = "100%";
    element.style.height = (horizontal ? Math.max(240, 80 + 30 * rows) : 320) + "px";
    const categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,
      axisLabel: horizontal ? { width: 180, overflow: "truncate" } : { interval: 0, hideOverlap: true, rotate: rows > 6 ? 30 : 0 },
    };
    const valueAxis = { type: "value", name: spec.unit, nameLocation: horizontal ? "middle" : "end", nameGap: horizontal ? 28 : 15 };
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: palette,
      textStyle: { fontFamily: font },
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: spec.kind === "line" ? "line" : "shadow" } },
      legend: { top: 26 },
      grid: { left: 8, right: 24, top: 70, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map((series) => ({
        name: series.name,
        type: spec.kind,
        stack: spec.stacked ? "total" : undefined,
        barMaxWidth: 36,
        emphasis: { focus: "series" },
        data: series.data,
      })),
    });
    charts.push(chart);
  }

  document.querySelectorAll("[data-report-chart]").forEach(draw);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
