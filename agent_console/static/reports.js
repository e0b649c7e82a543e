// Charts of the report (Chart.js, served from the app's static files).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  // each bar's words, in the page's language, in the order of the figures
  const words = JSON.parse(document.getElementById("report-labels").textContent);
  document.querySelectorAll("canvas[data-section]").forEach((canvas) => {
    const section = data[canvas.dataset.section] || {};
    new Chart(canvas, {
      type: "bar",
      data: {labels: words[canvas.dataset.section] || Object.keys(section), datasets: [{data: Object.values(section), backgroundColor: "#1f6f5c"}]},
      options: {animation: false, plugins: {legend: {display: false}}, indexAxis: canvas.dataset.section.startsWith("requests_by_topic") ? "y" : "x",
                scales: {y: {beginAtZero: true, ticks: {precision: 0}}}},
    });
  });
})();
