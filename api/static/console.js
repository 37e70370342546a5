// The console's small client side: countdowns (Alpine), the board's live refresh (SSE -> HTMX), and
// the circuit path (cytoscape). Deadlines, tones and colours come from the server's page; nothing
// here decides a business rule.
(function () {
  const serverOffset = () => Number(document.body.dataset.serverNow || Date.now()) - Date.now();

  // One ticker for every live chip on the page (a board has thousands): each second it writes the time
  // left and the tone from the chip's own deadline and amber instant, both given by the server.
  const fmt = (ms) => {
    const s = Math.floor(Math.abs(ms) / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (ms < 0 ? '-' : '') + (h ? h + ':' + String(m).padStart(2, '0') : m) + ':' + String(s % 60).padStart(2, '0');
  };
  document.addEventListener('alpine:init', () => {
    const offset = serverOffset();
    Alpine.data('countdowns', () => ({
      init() { this.tick(); this.timer = setInterval(() => this.tick(), 1000); },
      destroy() { clearInterval(this.timer); },
      tick() {
        const now = Date.now() + offset;
        this.$root.querySelectorAll('[data-clock][data-due]').forEach((chip) => {
          const due = Number(chip.dataset.due) * 1000, amber = chip.dataset.amber ? due - Number(chip.dataset.amber) * 1000 : null;
          const tone = now > due ? 'late' : (amber !== null && now >= amber ? 'amber' : 'fine');
          if (chip.dataset.tone !== tone) { chip.classList.remove('late', 'amber', 'fine'); chip.classList.add(tone); chip.dataset.tone = tone; }
          chip.lastElementChild.textContent = fmt(due - now);
        });
      },
    }));
  });

  const COLOURS = { fault: '#d32f2f', warn: '#f0a202', ok: '#2e7d32', unknown: '#9e9e9e' };
  const colour = (a) => COLOURS[a] || '#b0bec5';

  window.faultline = {
    paths: {},
    liveBoard(id) {
      const rows = document.getElementById(id);
      if (!rows || !window.EventSource) return;
      const events = new EventSource('/events');
      // every part of the board listening for 'board-changed from:body' (rows, problems) fetches itself
      events.addEventListener('board', () => htmx.trigger(document.body, 'board-changed'));
      window.faultline.boardEvents = events;
    },
    drawPath(id) {
      const box = document.getElementById(id);
      if (!box || !window.cytoscape) return;
      const path = JSON.parse(box.dataset.path);
      const order = [];
      path.segments.forEach((s) => { [s.a, s.z].forEach((k) => { if (!order.includes(k)) order.push(k); }); });
      const ports = Object.fromEntries(path.ports.map((p) => [p.key, p]));
      const elements = [];
      const devices = new Set();
      // left to right from the customer end; on a phone-wide screen top to bottom, so the labels stay legible
      const narrow = box.clientWidth < 600;
      if (narrow) box.style.height = (order.length * 46 + 60) + 'px';
      const at = (i) => (narrow ? { x: 0, y: i * 46 } : { x: i * 150, y: 0 });
      order.forEach((key, i) => {
        const p = ports[key];
        if (!devices.has(p.device)) {
          devices.add(p.device);
          elements.push({ data: { id: 'dev:' + p.device, label: p.device + ' (' + p.site_kind + ')' }, classes: 'device' });
        }
        const rx = p.rx_dbm === null ? '' : '\n' + p.rx_dbm.toFixed(1) + ' dBm' +
          (p.rx_margin_db === null ? '' : ' (' + (p.rx_margin_db >= 0 ? '+' : '') + p.rx_margin_db.toFixed(1) + ')');
        elements.push({ data: { id: key, parent: 'dev:' + p.device, label: p.port + rx, colour: colour(p.assessment),
                                assessment: p.assessment || '' }, position: at(i), classes: 'port' });
      });
      path.segments.forEach((s) => {
        const loss = s.loss_db === null ? '' : ' ' + s.loss_db.toFixed(1) + (s.budget_db === null ? '' : '/' + s.budget_db.toFixed(1)) + ' dB';
        elements.push({ data: { id: 'seg:' + s.index, source: s.a, target: s.z, segment: s.index, label: '#' + s.index + loss,
                                colour: colour(s.assessment), assessment: s.assessment || '', suspected: s.suspected },
                        classes: 'segment' + (s.suspected ? ' suspected' : '') });
      });
      const cy = cytoscape({
        container: box, elements, layout: { name: 'preset', padding: 20 }, userZoomingEnabled: false,
        style: [
          { selector: 'node.device', style: { label: 'data(label)', 'text-valign': 'top', 'font-size': 10,
            'background-color': '#eceff1', 'border-color': '#90a4ae', 'border-width': 1 } },
          { selector: 'node.port', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 9, width: 14, height: 14,
            'text-valign': 'bottom', 'background-color': 'data(colour)' } },
          { selector: 'edge.segment', style: { width: 4, 'line-color': 'data(colour)', label: 'data(label)', 'font-size': 9,
            'text-margin-y': -14, 'font-weight': 'bold',
            'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
          { selector: 'edge.suspected', style: { width: 8, 'line-style': 'dashed' } },
        ].concat(narrow ? [  // top to bottom: every label to the right of its node or edge
          { selector: 'node.device', style: { 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 6 } },
          { selector: 'node.port', style: { 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 4 } },
          { selector: 'edge.segment', style: { 'text-margin-y': 0, 'text-margin-x': -40 } },
        ] : []),
      });
      cy.on('mouseover', 'node.port, edge.segment', (e) => { box.title = e.target.data('label').replace('\n', ' '); });
      window.addEventListener('resize', () => { cy.resize(); cy.fit(undefined, 20); });
      window.faultline.paths[id] = cy;
    },
    charts: {},
    // Rx power per port over the retention window, with each module's sensitivity and overload drawn.
    rxChart(id) {
      const box = document.getElementById(id);
      if (!box || !window.echarts) return;
      const series = JSON.parse(box.dataset.series), limits = JSON.parse(box.dataset.thresholds);
      const lines = Object.entries(series).map(([name, points]) => {
        const marks = [];
        const th = limits[name] || {};
        if (th.sensitivity !== null && th.sensitivity !== undefined) marks.push({ yAxis: th.sensitivity, name: 'sens' });
        if (th.overload !== null && th.overload !== undefined) marks.push({ yAxis: th.overload, name: 'ovl' });
        return { name, type: 'line', showSymbol: points.length < 60, data: points,
                 markLine: { symbol: 'none', silent: true, lineStyle: { type: 'dashed' },
                             label: { formatter: (p) => name.split(' ')[1] + ' ' + p.name + ' ' + p.value + ' dBm', fontSize: 9 },
                             data: marks } };
      });
      // the axis spans the readings and the thresholds, so a reading's distance to its limit is seen
      const values = Object.values(series).flat().map((p) => p[1]);
      Object.values(limits).forEach((th) => { ['sensitivity', 'overload'].forEach((k) => { if (th[k] !== null && th[k] !== undefined) values.push(th[k]); }); });
      const chart = echarts.init(box);
      chart.setOption({
        animation: false, tooltip: { trigger: 'axis', valueFormatter: (v) => v + ' dBm' }, legend: { type: 'scroll', top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 30 }, xAxis: { type: 'time' },
        yAxis: { type: 'value', name: 'dBm', min: Math.floor(Math.min(...values) - 1), max: Math.ceil(Math.max(...values) + 1) }, series: lines,
      });
      window.addEventListener('resize', () => chart.resize());
      window.faultline.charts[id] = chart;
    },
    kpiChart(id) {
      const box = document.getElementById(id);
      if (!box || !window.echarts) return;
      const data = JSON.parse(box.dataset.kpis);
      const chart = echarts.init(box);
      chart.setOption({
        animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 45, right: 15, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: data.labels, axisLabel: { interval: 0, fontSize: 10 } },
        yAxis: { type: 'value', min: 0, max: 100, name: '%' },
        series: data.series.map((s) => ({ name: s.label, type: 'bar', data: s.rates })),
      });
      // a bar is one click from the tickets behind it (the late ones: what the assessment counts against)
      chart.on('click', (p) => {
        const kpi = data.periods[p.dataIndex];
        if (kpi) window.location.href = '/kpis/tickets?period=' + encodeURIComponent(p.seriesName) + '&kpi=' + encodeURIComponent(kpi) + '&outcome=late';
      });
      window.faultline.charts[id] = chart;
    },
  };
})();
