/*
 * The trend of each target on the plan's "Pelaksanaan" tab (templates/monitoring/plan.html):
 * the planned path and the verified values per reporting period, drawn with Chart.js
 * (vendored as the global `Chart`) from the accessible table beneath the canvas, which
 * stays the source of truth. Load with `defer` after vendor/chartjs/chart.umd.min.js.
 *
 *   <canvas data-trend-source="TABLE-ID"></canvas>
 *   <table id="TABLE-ID"><thead><tr><th>Periode</th><th>Rencana</th><th>Terverifikasi</th>
 *   <tbody><tr><th>Jan 2027</th><td data-value="25">25</td><td data-value="">—</td></tr>
 *
 * The planned path is dashed and the verified values are solid with points, so that the
 * two read apart in greyscale too.
 */
(function () {
  'use strict';

  function number(cell) {
    const raw = cell ? cell.dataset.value : '';
    return raw === '' || raw === undefined ? null : Number(raw);
  }

  function build(canvas) {
    const table = document.getElementById(canvas.dataset.trendSource);
    if (!table || !window.Chart) return;
    const heads = table.tHead.rows[0].cells;
    const rows = Array.from(table.tBodies[0].rows);
    const labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    const planned = rows.map(function (row) { return number(row.cells[1]); });
    const verified = rows.map(function (row) { return number(row.cells[2]); });
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: labels,
        datasets: [
          { label: heads[1].textContent.trim(), data: planned, borderColor: '#56606b',
            borderDash: [6, 4], pointRadius: 0, fill: false },
          { label: heads[2].textContent.trim(), data: verified, borderColor: '#0072b2',
            backgroundColor: '#0072b2', pointRadius: 4, spanGaps: true, fill: false },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  function start() {
    document.querySelectorAll('canvas[data-trend-source]').forEach(build);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
