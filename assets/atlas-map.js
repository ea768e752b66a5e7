/*
 * PlurAlps Atlas map: MapLibre GL, geometry loaded once, colours by feature state.
 *
 * The server never sends geometry through Dash. The map container (dashboard/views/layout.py `map_area`)
 * carries the URLs of three static, content-hashed files: units and context (GeoJSON, MapLibre tiles them
 * once) and index (unit ids and names per feature, for hover, keyboard and clicks). Each view change sends
 * a payload of colour indexes and values only (dashboard/mapdata.py `map_payload`, with hover labels from
 * views/map.py `browser_texts`); `paint`, the clientside callback window.dash_clientside.atlas.paint, sets
 * the feature state of the features whose colour changed, under a fill expression that never changes.
 * The outlines of the hovered, highlighted (a story step), peer (dashboard/views/peers.py) and selected units
 * are drawn from a small GeoJSON
 * source of their own holding only those units (see OUTLINES): no filter or paint expression of the units
 * layers ever changes. Hover, click (sets the atlas-selected store), keyboard (N / P / Enter) and zoom to
 * the state's target are handled here.
 *
 * Exposed for tests and benchmarks: window.atlasMap (timing of the last paint and outline, load marks,
 * colour of a feature, the emphasised units, the map itself).
 */
(function () {
  "use strict";

  const S = {
    map: null, container: null, loaded: false, index: null,
    pending: null, classes: null, colours: null, payload: null, zoomKey: undefined, popup: null,
    hovered: null, paintSeq: 0, lastTiming: null, marks: {}, userMoved: false, bounds: null, keyboardUnit: null, selectedUnit: null,
    emphasis: { hover: [], highlight: [], peers: [], selected: [] }, geometries: null, geometriesLoading: null,
    outlineTiming: null,
  };

  function mark(name) { if (!(name in S.marks)) S.marks[name] = Math.round(performance.now()); }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showProblem(message) {
    if (!S.container) return;
    let box = S.container.querySelector(".atlas-map-problem");
    if (!box) {
      box = el("div", "atlas-map-problem");
      box.setAttribute("role", "alert");
      S.container.appendChild(box);
    }
    box.textContent = message;
  }

  // Each feature carries its colour in its feature state, under one constant paint expression. Changing
  // the paint expression would make MapLibre lay out every tile again (0.3-1 s in software rendering);
  // changing feature state only repaints.
  const FILL = ["coalesce", ["feature-state", "col"], "#d9d9d9"];

  // Hovered, highlighted (a story step) and selected units are outlined from a small source of their own,
  // holding only those units. The obvious alternatives are both slow in software rendering: a filter on a
  // layer of the units source makes MapLibre lay out every tile of that source again at each change
  // (0.5-0.9 s per hover), and outlines by feature state need data-driven paint on a line layer over all
  // 17,766 units, which doubled the time to rasterise every frame (120 -> 230 ms).
  // Peers in Okabe-Ito's reddish purple, apart from the story's orange and the selection's black.
  const OUTLINES = [["hover", "#000000", 1.5], ["highlight", "#e69f00", 4], ["peers", "#cc79a7", 3.5],
    ["selected", "#000000", 3]];

  function hexToRgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function rgbToHex(rgb) {
    return "#" + rgb.map(function (v) { return Math.round(v).toString(16).padStart(2, "0"); }).join("");
  }

  function continuousColour(colours, position) {
    // Linear between the scheme's stops; `position` is 0..100 (dashboard/mapdata.py:feature_classes).
    const t = Math.max(0, Math.min(1, position / 100)) * (colours.length - 1);
    const i = Math.min(colours.length - 2, Math.floor(t));
    const a = hexToRgb(colours[i]);
    const b = hexToRgb(colours[i + 1]);
    const f = t - i;
    return rgbToHex([0, 1, 2].map(function (k) { return a[k] + (b[k] - a[k]) * f; }));
  }

  function colourFor(p, c) {
    if (c === -2) return p.filteredColour;
    if (c === -1 || c === null || c === undefined) return p.missingColour;
    if (p.mode === "continuous") return continuousColour(p.colours, c);
    return p.colours[c] || p.missingColour;
  }

  function colourOf(i) {
    // The colour a person sees for feature i under the last payload.
    return S.colours ? S.colours[i] : null;
  }

  function applyPayload(p) {
    const started = performance.now();
    const map = S.map;
    const cls = p.classes;
    const prev = S.colours;
    const colours = new Array(cls.length);
    let changed = 0;
    for (let i = 0; i < cls.length; i++) {
      const colour = colourFor(p, cls[i]);
      colours[i] = colour;
      if (prev === null || prev[i] !== colour) {
        map.setFeatureState({ source: "units", id: i }, { col: colour });
        changed++;
      }
    }
    S.colours = colours;
    S.classes = cls;
    S.payload = p;
    emphasise("highlight", p.highlight || []);
    if (p.zoomKey !== S.zoomKey) {
      S.zoomKey = p.zoomKey;
      S.bounds = p.zoom || p.home;
      S.userMoved = false;
      fit();
    }
    const jsMs = performance.now() - started;
    const seq = ++S.paintSeq;
    S.lastTiming = { key: p.key, seq: seq, startedAt: started, jsMs: jsMs, changed: changed, drawnMs: null,
      drawnAt: null };
    map.once("idle", function () {
      if (S.lastTiming && S.lastTiming.seq === seq) {
        S.lastTiming.drawnAt = performance.now();
        S.lastTiming.drawnMs = S.lastTiming.drawnAt - started;
        S.container.dataset.paintedKey = p.key + "|" + p.mode + "|" + p.colours.join(",");
        S.container.dataset.paintSeq = String(seq);
        mark("firstDrawn");
        // Read the outlines' geometry while nobody waits, so the first hover is as quick as the others.
        if (!S.geometriesLoading) {
          if (window.requestIdleCallback) window.requestIdleCallback(loadGeometries, { timeout: 3000 });
          else setTimeout(loadGeometries, 500);
        }
      }
    });
    return S.lastTiming;
  }

  function framePadding() {
    // A story's caption lies over the top of the map (presentation mode): frame the area below it, so
    // that no highlighted unit hides behind the text.
    const padding = { top: 24, right: 24, bottom: 24, left: 24 };
    const box = document.querySelector(".atlas-story-box");
    if (box && S.container && box.offsetParent !== null) {
      const covered = box.getBoundingClientRect().bottom - S.container.getBoundingClientRect().top;
      if (covered > 0 && covered < S.container.clientHeight * 0.6) padding.top = covered + 12;
    }
    return padding;
  }

  function fit() {
    const b = S.bounds;
    if (S.map && b) S.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: framePadding(), duration: 0 });
  }

  // The caption changes height from step to step, and may arrive after the map's payload: frame again
  // when it does, unless the person has moved the map.
  let captionHeight = null;
  new MutationObserver(function () {
    const box = document.querySelector(".atlas-story-box");
    if (!box && captionHeight === null) return; // no story: nothing to measure
    const height = box ? box.getBoundingClientRect().bottom : null;
    if (height === captionHeight) return;
    captionHeight = height;
    if (S.loaded && !S.userMoved) fit();
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  function loadGeometries() {
    // The units' geometry for the outlines, read once from the file MapLibre has loaded (the browser's
    // cache answers; the URL is content-hashed): after the first map is drawn, or when an outline is
    // wanted before that.
    if (!S.geometriesLoading) {
      S.geometriesLoading = fetch(S.container.dataset.unitsUrl).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (collection) {
        const geometries = [];
        collection.features.forEach(function (f) { geometries[f.id] = f.geometry; });
        S.geometries = geometries;
        drawOutlines();
      }).catch(function (err) { showProblem(S.container.dataset.textLoadFailed + " (" + err.message + ")"); });
    }
  }

  function drawOutlines() {
    if (!S.map || !S.loaded) return;
    if (!S.geometries) { loadGeometries(); return; }
    const features = [];
    OUTLINES.forEach(function (outline) {
      S.emphasis[outline[0]].forEach(function (id) {
        if (S.geometries[id]) {
          features.push({ type: "Feature", properties: { kind: outline[0], unit: S.index.unit_id[id] },
            geometry: S.geometries[id] });
        }
      });
    });
    S.map.getSource("outlines").setData({ type: "FeatureCollection", features: features });
    const timing = { requestedAt: performance.now(), drawnAt: null, features: features.length };
    S.outlineTiming = timing;
    S.map.once("idle", function () { timing.drawnAt = performance.now(); });
  }

  function emphasise(kind, ids) {
    // Outlines exactly the features `ids` as `kind` (hover, highlight, selected).
    const before = S.emphasis[kind];
    if (before.length === ids.length && before.every(function (id, k) { return id === ids[k]; })) return;
    S.emphasis[kind] = ids.slice();
    drawOutlines();
  }

  function outlineSelected() {
    if (!S.map || !S.loaded || !S.index) return;
    const i = S.selectedUnit ? S.index.unit_id.indexOf(S.selectedUnit) : -1;
    emphasise("selected", i >= 0 ? [i] : []);
  }

  function selectUnit(unitId) {
    // The unit of the profile, outlined; called by the state (views/shell.py), kept for when the map loads.
    S.selectedUnit = unitId || null;
    outlineSelected();
  }

  function shown() {
    // The map may have been created while its view was hidden (no size): take the real size, and frame
    // the chosen area again unless the person has moved the map since.
    if (!S.map) return;
    S.map.resize();
    if (!S.userMoved) fit();
  }

  function hoverContent(i) {
    const p = S.payload;
    const box = el("div", "atlas-hover");
    const name = S.index.name[i] + (S.index.name_alt[i] ? " / " + S.index.name_alt[i] : "");
    box.appendChild(el("strong", null, name));
    if (!p) return box;
    box.appendChild(el("div", "atlas-hover-place", p.countryNames[S.index.country[i]] || S.index.country[i]));
    const v = p.values[i];
    const meta = p.metaTable[p.meta[i]];
    const valueText = v === null || v === undefined ? p.text.noValue : p.formatValue(v);
    box.appendChild(el("div", "atlas-hover-value", p.label + ": " + valueText));
    if (meta) box.appendChild(el("div", "atlas-hover-source", whenAndWhere(p, meta)));
    if (p.values2) {
      // A bivariate map: the second value, with its own year and source.
      box.appendChild(el("div", "atlas-hover-value", p.label2 + ": " + secondText(p, i)));
      const meta2 = p.metaTable2[p.meta2[i]];
      if (meta2) box.appendChild(el("div", "atlas-hover-source", whenAndWhere(p, meta2)));
    }
    return box;
  }

  function whenAndWhere(p, meta) {
    return (meta[0] ? meta[0] + " · " : "") + (p.sourceTitles[meta[1]] || meta[1]);
  }

  function secondText(p, i) {
    // A bivariate map's second indicator (dashboard/bivariate.py).
    const v = p.values2[i];
    if (v === null || v === undefined) return p.text.noValue;
    return p.formatNumber(v) + (p.unit2 ? " " + p.unit2 : "");
  }

  function decorate(p) {
    // Number formatting per language, done here so that values travel as numbers.
    // At most 4 significant digits, but never fewer than the integer digits (1,512,491 stays whole).
    const fmt = new Intl.NumberFormat(p.locale || "en", { maximumFractionDigits: 3 });
    p.formatValue = function (v) {
      if (p.mode === "categories") return p.categoryLabels[String(v)] || String(v);
      return fmt.format(v) + (p.unit ? " " + p.unit : "");
    };
    p.formatNumber = function (v) { return fmt.format(v); };
    return p;
  }

  function setSelected(unitIndex) {
    if (!S.index || !window.dash_clientside || !window.dash_clientside.set_props) return;
    window.dash_clientside.set_props("atlas-selected", { data: S.index.unit_id[unitIndex] });
  }

  function addLayers(map, data) {
    // Small tile buffers and a low maxzoom cut the worker's tiling work: fills need no labels, and
    // beyond zoom 11 the map-resolution geometry has no more detail to show.
    map.addSource("units", { type: "geojson", data: data.units, buffer: 16, maxzoom: 11, tolerance: 0.5 });
    map.addSource("context", { type: "geojson", data: data.context, buffer: 16, maxzoom: 11, tolerance: 0.5 });
    map.addLayer({ id: "units-fill", type: "fill", source: "units",
      paint: { "fill-color": FILL, "fill-antialias": false } });
    map.addLayer({ id: "units-line", type: "line", source: "units",
      paint: { "line-color": "#ffffff", "line-opacity": 0.6,
        "line-width": ["interpolate", ["linear"], ["zoom"], 6, 0, 8, 0.3, 11, 1] } });
    map.addLayer({ id: "lakes", type: "fill", source: "context", filter: ["==", ["get", "layer"], "lake"],
      paint: { "fill-color": "#a9cce3" } });
    map.addLayer({ id: "nuts3", type: "line", source: "context", filter: ["==", ["get", "layer"], "nuts3"],
      paint: { "line-color": "#6b6b6b", "line-width": 0.5, "line-opacity": 0.7 } });
    map.addLayer({ id: "nuts2", type: "line", source: "context", filter: ["==", ["get", "layer"], "nuts2"],
      paint: { "line-color": "#4a4a4a", "line-width": 0.9 } });
    map.addLayer({ id: "countries", type: "line", source: "context", filter: ["==", ["get", "layer"], "country"],
      paint: { "line-color": "#1f1f1f", "line-width": 1.6 } });
    map.addLayer({ id: "alpine-convention", type: "line", source: "context",
      filter: ["==", ["get", "layer"], "alpine_convention"],
      paint: { "line-color": "#7b3294", "line-width": 1.4, "line-dasharray": [2, 2] } });
    map.addSource("outlines", { type: "geojson", data: { type: "FeatureCollection", features: [] },
      buffer: 16, maxzoom: 11, tolerance: 0.5 });
    OUTLINES.forEach(function (outline) {
      map.addLayer({ id: "outline-" + outline[0], type: "line", source: "outlines",
        filter: ["==", ["get", "kind"], outline[0]],
        paint: { "line-color": outline[1], "line-width": outline[2] } });
    });
  }

  function announce(text) {
    const region = document.getElementById("atlas-map-announce");
    if (region) region.textContent = text;
  }

  function describe(i) {
    const p = S.payload;
    const name = S.index.name[i] + (S.index.name_alt[i] ? " / " + S.index.name_alt[i] : "");
    if (!p) return name;
    const v = p.values[i];
    const value = v === null || v === undefined ? p.text.noValue : p.formatValue(v);
    const second = p.values2 ? "; " + p.label2 + " " + secondText(p, i) : "";
    return name + ", " + (p.countryNames[S.index.country[i]] || S.index.country[i]) + ": " + p.label + " " + value +
      second;
  }

  function unitsInView() {
    // Units drawn in the current view, in name order: what the keyboard steps through.
    const seen = new Set();
    const ids = [];
    S.map.queryRenderedFeatures({ layers: ["units-fill"] }).forEach(function (f) {
      if (!seen.has(f.id)) { seen.add(f.id); ids.push(f.id); }
    });
    return ids.sort(function (a, b) { return S.index.name[a].localeCompare(S.index.name[b]); });
  }

  function focusUnit(i) {
    S.keyboardUnit = i;
    emphasise("hover", [i]);
    announce(describe(i));
  }

  function onKey(event) {
    // Keyboard access to the map's units: N / P step through the units in view, Enter opens the profile
    // of the stepped-to unit (or of the unit at the centre); arrows and +/- move the map (MapLibre).
    if (!S.index || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "n" || key === "N" || key === "p" || key === "P") {
      const ids = unitsInView();
      if (!ids.length) return;
      const at = ids.indexOf(S.keyboardUnit);
      const step = key === "n" || key === "N" ? 1 : -1;
      focusUnit(ids[(at + step + ids.length) % ids.length]);
      event.preventDefault();
    } else if (key === "Enter") {
      let i = S.keyboardUnit;
      if (i === null || i === undefined) {
        const centre = S.map.project(S.map.getCenter());
        const hit = S.map.queryRenderedFeatures(centre, { layers: ["units-fill"] });
        i = hit.length ? hit[0].id : null;
      }
      if (i !== null && i !== undefined) { setSelected(i); announce(describe(i)); }
      event.preventDefault();
    }
  }

  function bindEvents(map) {
    const canvas = map.getCanvas();
    canvas.setAttribute("aria-label", S.container.dataset.textKeys || "");
    canvas.addEventListener("keydown", onKey);
    S.popup = new window.maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: "280px" });
    map.on("mousemove", "units-fill", function (e) {
      if (!e.features.length || !S.index) return;
      const i = e.features[0].id;
      map.getCanvas().style.cursor = "pointer";
      if (S.hovered !== i) {
        S.hovered = i;
        emphasise("hover", [i]);
        S.popup.setDOMContent(hoverContent(i));
      }
      S.popup.setLngLat(e.lngLat).addTo(map);
    });
    map.on("mouseleave", "units-fill", function () {
      S.hovered = null;
      map.getCanvas().style.cursor = "";
      emphasise("hover", []);
      S.popup.remove();
    });
    map.on("movestart", function (e) { if (e.originalEvent) S.userMoved = true; });
    map.on("click", "units-fill", function (e) {
      if (e.features.length) setSelected(e.features[0].id);
    });
  }

  function init(container) {
    S.container = container;
    mark("init");
    if (!window.maplibregl) { showProblem(container.dataset.textNoScript); return; }
    window.maplibregl.setWorkerUrl(container.dataset.workerUrl);
    const home = JSON.parse(container.dataset.home); // [[west, south], [east, north]]
    S.bounds = [home[0][0], home[0][1], home[1][0], home[1][1]];
    let map;
    try {
      map = new window.maplibregl.Map({
        container: container,
        style: { version: 8, sources: {},
          layers: [{ id: "background", type: "background", paint: { "background-color": "#e9eef2" } }] },
        bounds: home,
        fitBoundsOptions: { padding: 24 },
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
        preserveDrawingBuffer: true, // lets the poster and PNG export read the canvas
        // The map has no labels to fade in; with the default 300 ms, every new tile (an outline, a zoom)
        // kept MapLibre drawing frames for 300 ms more.
        fadeDuration: 0,
      });
    } catch (err) {
      showProblem(container.dataset.textNoWebgl);
      return;
    }
    S.map = map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new window.maplibregl.AttributionControl({ compact: true,
      customAttribution: container.dataset.attribution }));
    map.on("error", function (e) {
      const msg = (e && e.error && e.error.message) || "";
      if (msg) showProblem(container.dataset.textLoadFailed + " (" + msg + ")");
    });
    const indexPromise = fetch(container.dataset.indexUrl).then(function (r) {
      mark("index");
      if (!r.ok) throw new Error(r.status + " " + r.statusText);
      return r.json();
    });
    map.on("load", function () {
      mark("style");
      addLayers(map, { units: container.dataset.unitsUrl, context: container.dataset.contextUrl });
      bindEvents(map);
      indexPromise.then(function (index) {
        S.index = index;
        const whenUnits = function () {
          if (map.isSourceLoaded("units")) {
            mark("units");
            S.loaded = true;
            container.dataset.ready = "true";
            outlineSelected();
            drawOutlines(); // peers or a highlight asked for before the map was ready
            if (S.pending) { applyPayload(S.pending); S.pending = null; }
          } else {
            map.once("sourcedata", whenUnits);
          }
        };
        whenUnits();
      }).catch(function (err) { showProblem(container.dataset.textLoadFailed + " (" + err.message + ")"); });
    });
  }

  function paint(payload) {
    const noUpdate = window.dash_clientside.no_update;
    if (!payload) return noUpdate;
    const container = document.getElementById("atlas-map");
    if (!container) return noUpdate;
    if (S.container !== container) {
      S.map = null; S.loaded = false; S.classes = null; S.colours = null; S.zoomKey = undefined;
      init(container);
    }
    const p = decorate(payload);
    if (!S.loaded) { S.pending = p; return { key: p.key, queued: true }; }
    const timing = applyPayload(p);
    return { key: timing.key, jsMs: Math.round(timing.jsMs * 10) / 10, changed: timing.changed };
  }

  // Start loading geometry as soon as Dash has rendered the container, without waiting for the first
  // payload: the download and tiling run while the first callbacks are still on their way.
  function initWhenMounted() {
    const container = document.getElementById("atlas-map");
    if (container && S.container !== container) { init(container); return; }
    if (!container) window.requestAnimationFrame(initWhenMounted);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initWhenMounted);
  else initWhenMounted();

  window.atlasMap = {
    colourOf: colourOf,
    timing: function () { return S.lastTiming; },
    outlineTiming: function () { return S.outlineTiming; },
    marks: function () { return S.marks; },
    ready: function () { return S.loaded; },
    map: function () { return S.map; },
    featureOf: function (unitId) { return S.index ? S.index.unit_id.indexOf(unitId) : -1; },
    emphasised: function (kind) { return S.emphasis[kind].slice(); },
    select: setSelected,
    selectUnit: selectUnit,
    // The peers of the selected unit, outlined (feature positions; called by dashboard/views/peers.py).
    peers: function (ids) { emphasise("peers", Array.isArray(ids) ? ids : []); },
    shown: shown,
  };
  window.dash_clientside = Object.assign({}, window.dash_clientside, { atlas: { paint: paint } });
})();
