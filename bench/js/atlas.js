// window.__bench: the atlas page's switch, repaint floor and hover, timed in the page (bench/browser.py).
// Needs flush.js first (window.__flush).
window.__bench = {
  flush() { return window.__flush(window.atlasMap.map()); },
  repaint() {
    return new Promise(res => {
      const m = window.atlasMap.map(); const t0 = performance.now();
      m.once('idle', () => { const t1 = performance.now(); const t2 = window.__bench.flush();
        res({idle: t1 - t0, flushed: t2 - t0}); });
      m.triggerRepaint();
    });
  },
  lastMove: null,
  hovered() {
    // The outline drawn for the last pointer move onto a new unit, once the map is idle after it.
    return new Promise(res => {
      const started = window.__bench.lastMove;
      const wait = () => {
        const t = window.atlasMap.outlineTiming();
        if (t && t.requestedAt >= started && t.drawnAt) {
          const tf = window.__bench.flush();
          res({ms: t.drawnAt - started, flushed: tf - started, requested: t.requestedAt - started,
               unit: window.atlasMap.emphasised('hover')[0]});
        } else if (performance.now() - started > 10000) res(null);
        else requestAnimationFrame(wait);
      };
      wait();
    });
  },
  palette() { return ((document.getElementById('atlas-map').dataset.paintedKey || '').split('|')[3] || ''); },
  switchTo(ind) {
    return new Promise(res => {
      const el = document.getElementById('atlas-map');
      const before = el.dataset.paintSeq; const palette = window.__bench.palette();
      const t0 = performance.now();
      const obs = new MutationObserver(() => {
        const tm = window.atlasMap.timing();
        if (!(tm && tm.key.startsWith(ind + '|') && tm.drawnAt && el.dataset.paintSeq !== before)) return;
        obs.disconnect();
        const tf = window.__bench.flush();
        res({click: tm.drawnAt - t0, toPaint: tm.startedAt - t0, js: tm.jsMs, drawn: tm.drawnMs,
             flushedClick: tf - t0, flushedDrawn: tf - tm.startedAt, changed: tm.changed,
             paletteChanged: window.__bench.palette() !== palette});
      });
      obs.observe(el, {attributes: true, attributeFilter: ['data-paint-seq']});
      window.dash_clientside.set_props('control-indicator', {value: ind});
    });
  },
};
document.addEventListener('mousemove', e => { window.__bench.lastMove = e.timeStamp; }, true);
