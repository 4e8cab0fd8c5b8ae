// Draws the bar charts of the budget pages with ECharts (no inline script: CSP).
// Each chart is an element with data-chart="<id>", where <id> is a json_script element
// holding {labels, unit, series: [{name, stack?, data: ["12.50", …]}]} in 万元.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  const font = getComputedStyle(document.body).fontFamily;
  const palette = ["#0d6efd", "#9ec5fe", "#dc3545"];
  const charts = [];

  function draw(element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const horizontal = element.hasAttribute("data-horizontal");
    const rows = data.labels.length;
    element.style.width = "100%";
    element.style.height = (horizontal ? Math.max(220, 60 + 34 * rows) : 300) + "px";
    const categoryAxis = {
      type: "category",
      data: data.labels,
      inverse: horizontal,
      axisLabel: horizontal ? { width: 170, overflow: "truncate" } : { interval: 0, hideOverlap: true },
    };
    const valueAxis = horizontal
      ? { type: "value", name: data.unit, nameLocation: "middle", nameGap: 28 }
      : { type: "value", name: data.unit, nameTextStyle: { align: "left" } };
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: palette,
      textStyle: { fontFamily: font },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (value) => Number(value).toLocaleString(document.documentElement.lang) + " " + data.unit,
      },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: horizontal ? 36 : 60, bottom: horizontal ? 32 : 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: data.series.map((series) => ({
        name: series.name,
        type: "bar",
        stack: series.stack,
        barMaxWidth: 36,
        emphasis: { focus: "series" },
        data: series.data.map(Number),
      })),
    });
    charts.push(chart);
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
