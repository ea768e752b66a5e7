// window.__diag: the experiments of bench/diagnose.py on the atlas page (tile reloads, repaint,
// paint-expression change, feature-state colouring), each timed to idle and to pixels.
window.__diag = {
  reloads: 0,
  map() { return window.atlasMap.map(); },
  spy() {
    const style = window.__diag.map().style;
    const managers = style.tileManagers || style.sourceCaches;
    const units = managers.units; const orig = units.reload.bind(units);
    units.reload = (...a) => { window.__diag.reloads++; return orig(...a); };
  },
  flush() {
    const c = window.__diag.map().getCanvas(); const gl = c.getContext('webgl2') || c.getContext('webgl');
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4)); return performance.now();
  },
  idle(t0, extra) {
    const r0 = window.__diag.reloads;
    return new Promise(res => window.__diag.map().once('idle', () => {
      const t1 = performance.now(); const t2 = window.__diag.flush();
      res(Object.assign({idle_ms: t1 - t0, pixels_ms: t2 - t0}, extra || {}));
    }));
  },
  repaint() {
    const t0 = performance.now(); const p = window.__diag.idle(t0); window.__diag.map().triggerRepaint(); return p;
  },
  expressionChange(k) {
    // A new fill-color expression (the same colours, another fallback): what a switch cost before 7d9e9e7.
    const m = window.__diag.map(); const r0 = window.__diag.reloads; const t0 = performance.now();
    const grey = k % 2 ? '#d8d8d8' : '#d9d9d9';
    m.setPaintProperty('units-fill', 'fill-color', ['coalesce', ['feature-state', 'col'], grey]);
    return window.__diag.idle(t0).then(r => Object.assign(r, {tile_reloads: window.__diag.reloads - r0}));
  },
  colourStates([k, n]) {
    const m = window.__diag.map();
    const palettes = [['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'],
                      ['#d73027', '#fc8d59', '#fee090', '#91bfdb', '#4575b4'],
                      ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9']];
    const pal = palettes[k % 3]; const r0 = window.__diag.reloads; const t0 = performance.now();
    for (let i = 0; i < n; i++) m.setFeatureState({source: 'units', id: i}, {col: pal[(i * 7 + k) % 5]});
    const js = performance.now() - t0;
    return window.__diag.idle(t0, {js_ms: js}).then(r => Object.assign(r, {tile_reloads: window.__diag.reloads - r0}));
  },
};
