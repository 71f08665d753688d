// Draws the dashboards' charts with the embedded Chart.js from each
// canvas's data-chart (the same cells as the table beside it). A hidden
// cell is null in the data: Chart.js leaves a gap, never a zero. The
// palette's colours each have a contrast of at least 4.5:1 on white.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#0b4f9c", "#a34a00", "#1b5e20", "#6a1b9a", "#a31515", "#00695c", "#5d4037", "#37474f", "#ad1457", "#283593"];
  var ink = "#1a1a1a";
  Chart.defaults.color = ink;
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    spec.datasets.forEach(function (d, i) {
      var c = palette[i % palette.length];
      d.backgroundColor = c;
      d.borderColor = c;
      d.borderWidth = 2;
      d.spanGaps = false;
    });
    new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: spec.datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {legend: {position: "bottom"}},
        scales: {
          x: {ticks: {color: ink}, grid: {color: "#d0d0d0"}},
          y: {beginAtZero: true, ticks: {color: ink}, grid: {color: "#d0d0d0"},
            title: {display: !!spec.y, text: spec.y || "", color: ink}}
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  });
})();
