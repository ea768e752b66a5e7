// window.__naive: first load and switch of the naive plotly app, timed in the page (bench/browser.py).
// Needs flush.js first (window.__flush).
window.__naive = {
  firstDrawn: null,
  graph() { return document.querySelector('#naive-map .js-plotly-plot'); },
  map() { const gd = window.__naive.graph(); const l = gd && gd._fullLayout;
          return l && l.map && l.map._subplot && l.map._subplot.map; },
  flush() { return window.__flush(window.__naive.map()); },
  watch() {
    const m = window.__naive.map();
    const hasFill = m && m.getStyle() && m.getStyle().layers.some(l => l.type === 'fill');
    if (!hasFill) { requestAnimationFrame(window.__naive.watch); return; }
    m.once('idle', () => { window.__naive.firstDrawn = performance.now(); });
    m.triggerRepaint();
  },
  switchTo(ind, label) {
    return new Promise(res => {
      const gd = window.__naive.graph(); const t0 = performance.now();
      const handler = () => {
        const d = gd.data && gd.data[0];
        if (!(d && d.colorbar && d.colorbar.title && d.colorbar.title.text === label)) return;
        gd.removeListener('plotly_afterplot', handler);
        const after = performance.now(); const m = window.__naive.map();
        m.once('idle', () => { const t1 = performance.now(); const tf = window.__naive.flush();
          res({afterplot: after - t0, click: t1 - t0, flushedClick: tf - t0}); });
        m.triggerRepaint();
      };
      gd.on('plotly_afterplot', handler);
      window.dash_clientside.set_props('indicator', {value: ind});
    });
  },
};
(function start() {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => window.__naive.watch());
  else window.__naive.watch();
})();
