/*
 * The dashboard's charts (Chart.js, vendored as the global `Chart`). Load with `defer`
 * after vendor/chartjs/chart.umd.min.js. No inline scripts: every chart is described by
 * the accessible data table beneath it, which stays the source of truth.
 *
 *   <canvas data-chart="bar" data-chart-source="TABLE-ID"
 *           [data-chart-index-axis="y"] [data-chart-stacked="true"]
 *           [data-chart-palette="state"]></canvas>
 *   <table id="TABLE-ID">
 *     <thead><tr><th>label</th><th data-series="primary">Series A</th>
 *                <th data-series="secondary">Series B</th></tr></thead>
 *     <tbody><tr data-href="/rencana/daftar/?..." [data-color="approved"]>
 *       <th [data-label="..."]>Label</th><td data-value="12">…</td>…</tr></tbody>
 *   </table>
 *
 * Colours survive greyscale printing: the state palette (--ap-state-* in agenplan.css)
 * is drawn with a dark outline and each bar is named on its axis; a second series is
 * hatched, not only coloured; every bar carries its number. Clicking a bar (or its row's
 * link in the table) opens the list of plans behind it.
 */
(function () {
  'use strict';

  const charts = [];

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function hatch(color) {
    const size = 8;
    const tile = document.createElement('canvas');
    tile.width = size;
    tile.height = size;
    const ctx = tile.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-2, 2);
    ctx.lineTo(2, -2);
    ctx.moveTo(size - 2, size + 2);
    ctx.lineTo(size + 2, size - 2);
    ctx.stroke();
    return ctx.createPattern(tile, 'repeat');
  }

  function readTable(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    const series = [];
    headers.forEach(function (th, index) {
      if (th.dataset.series) {
        series.push({ index: index, key: th.dataset.series, label: th.textContent.trim() });
      }
    });
    const rows = Array.from(table.tBodies[0].rows).filter(function (row) {
      return row.cells.length === headers.length;
    });
    return {
      labels: rows.map(function (row) {
        const head = row.cells[0];
        return (head.dataset.label || head.textContent).trim().replace(/\s+/g, ' ');
      }),
      hrefs: rows.map(function (row) { return row.dataset.href || ''; }),
      colors: rows.map(function (row) { return row.dataset.color || ''; }),
      series: series.map(function (s) {
        return {
          key: s.key,
          label: s.label,
          values: rows.map(function (row) {
            return Number(row.cells[s.index].dataset.value || 0);
          }),
        };
      }),
    };
  }

  // Draws each bar's number at its end (or in the middle of a stacked segment).
  const valueLabels = {
    id: 'apValueLabels',
    afterDatasetsDraw: function (chart) {
      const ctx = chart.ctx;
      const horizontal = chart.options.indexAxis === 'y';
      const stacked = Boolean(chart.options.scales.x.stacked);
      ctx.save();
      ctx.font = '12px ' + cssVar('--ap-font', 'sans-serif');
      ctx.fillStyle = '#111418';
      chart.data.datasets.forEach(function (dataset, i) {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach(function (bar, j) {
          const value = dataset.data[j];
          if (!value && stacked) return;
          const text = String(value);
          if (stacked) {
            const props = bar.getProps(['x', 'y', 'base'], true);
            const width = ctx.measureText(text).width;
            const room = horizontal ? Math.abs(props.x - props.base) : Math.abs(props.base - props.y);
            if (room < (horizontal ? width + 4 : 14)) return;
            ctx.fillStyle = '#ffffff';
            ctx.fillRect(
              (horizontal ? (props.x + props.base) / 2 : props.x) - width / 2 - 2,
              (horizontal ? props.y : (props.y + props.base) / 2) - 8, width + 4, 16
            );
            ctx.fillStyle = '#111418';
            ctx.textAlign = 'center';
            ctx.textBaseline = 'middle';
            ctx.fillText(text, horizontal ? (props.x + props.base) / 2 : props.x,
              horizontal ? props.y : (props.y + props.base) / 2);
          } else if (horizontal) {
            ctx.textAlign = 'left';
            ctx.textBaseline = 'middle';
            ctx.fillText(text, bar.x + 4, bar.y);
          } else {
            ctx.textAlign = 'center';
            ctx.textBaseline = 'bottom';
            ctx.fillText(text, bar.x, bar.y - 2);
          }
        });
      });
      ctx.restore();
    },
  };

  function datasetFor(series, data, palette) {
    const primary = cssVar('--ap-primary', '#0b3d6e');
    const accent = cssVar('--ap-accent', '#c8952b');
    if (palette === 'state') {
      return {
        label: series.label,
        data: series.values,
        backgroundColor: data.colors.map(function (key) {
          return cssVar('--ap-state-' + key, primary);
        }),
        borderColor: '#111418',
        borderWidth: 1,
      };
    }
    if (series.key === 'secondary') {
      return {
        label: series.label,
        data: series.values,
        backgroundColor: hatch(accent),
        borderColor: '#8a6414',
        borderWidth: 1.5,
      };
    }
    return {
      label: series.label,
      data: series.values,
      backgroundColor: primary,
      borderColor: primary,
      borderWidth: 1,
    };
  }

  function build(canvas) {
    if (canvas.dataset.chartReady || !window.Chart) return;
    const table = document.getElementById(canvas.dataset.chartSource);
    if (!table) return;
    const data = readTable(table);
    if (!data.labels.length) {
      canvas.closest('.ap-chart-canvas').hidden = true;
      return;
    }
    canvas.dataset.chartReady = '1';
    const horizontal = canvas.dataset.chartIndexAxis === 'y';
    const stacked = canvas.dataset.chartStacked === 'true';
    const valueAxis = horizontal ? 'x' : 'y';
    const scales = {
      x: { stacked: stacked, grid: { display: !horizontal } },
      y: { stacked: stacked, grid: { display: horizontal } },
    };
    // Long category names (RB change areas) are shortened on the axis; the table beneath
    // and the tooltip keep them whole.
    scales[horizontal ? 'y' : 'x'].ticks = {
      callback: function (value) {
        const label = String(this.getLabelForValue(value));
        return label.length > 32 ? label.slice(0, 31) + '…' : label;
      },
    };
    scales[valueAxis].beginAtZero = true;
    scales[valueAxis].ticks = { precision: 0 };
    // Room for the numbers drawn at the bars' ends.
    scales[valueAxis].grace = '12%';
    const chart = new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s) {
          return datasetFor(s, data, canvas.dataset.chartPalette);
        }),
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: data.series.length > 1, labels: { color: '#111418' } },
          tooltip: { enabled: true },
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? 'pointer' : 'default';
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          const href = data.hrefs[elements[0].index];
          if (href) window.location.assign(href);
        },
      },
      plugins: [valueLabels],
    });
    charts.push(chart);
  }

  function init(root) {
    const scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll('canvas[data-chart]').forEach(build);
  }

  document.addEventListener('click', function (event) {
    const button = event.target.closest('[data-ap-print]');
    if (button) window.print();
  });

  // Charts redraw at the paper's width before printing, and back after.
  window.addEventListener('beforeprint', function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener('afterprint', function () {
    charts.forEach(function (chart) { chart.resize(); });
  });

  document.addEventListener('htmx:load', function (event) { init(event.target); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  } else {
    init(document);
  }
})();
