// Draws the survey charts (alignment, exams) with ECharts; no inline script (CSP).
// Each chart is an element with data-survey-chart="<id>", where <id> is a json_script element
// holding {type: "bar"|"line", labels, unit, horizontal?, min?, max?,
//          series: [{name, data: [number|null], dashed?}], marks?: [{name, value, series}]}.
// A null value is a gap (an undefined figure), never drawn as zero.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  const font = getComputedStyle(document.body).fontFamily;
  const palette = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#6c757d", "#dc3545"];
  const lang = document.documentElement.lang;
  const charts = [];

  function format(value, unit) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return "—";
    }
    return Number(value).toLocaleString(lang) + (unit || "");
  }

  function markLine(marks, index, unit) {
    const mine = (marks || []).filter((mark) => (mark.series || 0) === index);
    if (!mine.length) {
      return undefined;
    }
    return {
      symbol: "none",
      silent: true,
      lineStyle: { type: "dashed", width: 1.5 },
      label: { formatter: (p) => p.name + " " + format(p.value, unit), position: "insideEndTop" },
      data: mine.map((mark) => ({ name: mark.name, yAxis: mark.value, xAxis: mark.value })),
    };
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.surveyChart);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    const horizontal = !!data.horizontal;
    const rows = data.labels.length;
    element.style.width = "100%";
    element.style.height = (horizontal ? Math.max(240, 70 + 30 * rows) : 320) + "px";
    const categoryAxis = {
      type: "category",
      data: data.labels,
      inverse: horizontal,
      boundaryGap: data.type === "bar",
      axisLabel: horizontal ? { width: 150, overflow: "truncate" } : { interval: 0, hideOverlap: true },
    };
    const valueAxis = {
      type: "value",
      min: data.min === null ? undefined : data.min,
      max: data.max === null ? undefined : data.max,
      axisLabel: { formatter: (value) => format(value, data.unit) },
    };
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: palette,
      textStyle: { fontFamily: font },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: data.type === "bar" ? "shadow" : "line" },
        valueFormatter: (value) => format(value, data.unit),
      },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: data.series.map((series, index) => {
        const line = markLine(data.marks, index, data.unit);
        if (line && horizontal) {
          line.data = line.data.map((d) => ({ name: d.name, xAxis: d.xAxis }));
          line.label.position = "end";
        } else if (line) {
          line.data = line.data.map((d) => ({ name: d.name, yAxis: d.yAxis }));
        }
        return {
          name: series.name,
          type: data.type,
          barMaxWidth: 28,
          connectNulls: false,
          symbolSize: 7,
          lineStyle: series.dashed ? { type: "dashed" } : undefined,
          emphasis: { focus: "series" },
          markLine: line,
          data: series.data,
        };
      }),
    });
    charts.push(chart);
  }

  document.querySelectorAll("[data-survey-chart]").forEach(draw);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
