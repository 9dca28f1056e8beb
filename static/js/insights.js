// The recruitment picture's charts (Chart.js, served from static/vendor). The numbers
// come from the page's JSON data block; the tables beside each chart carry the same
// numbers for screen readers, so the canvases are hidden from assistive technology.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var blue = "#0b5ed7";
  function draw(id, series, type, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ label: series.label, data: series.values, backgroundColor: blue, borderColor: blue }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  draw("funnel-chart", data.funnel, "bar", true);
  draw("weeks-chart", data.weeks, "bar", false);
});
