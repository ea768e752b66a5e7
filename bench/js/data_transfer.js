// The /data/ resources a page (or a worker: MapLibre fetches the GeoJSON in one) has fetched:
// [name, transferSize, encodedBodySize, requested at, received at] (ms since the epoch) (bench/browser.py).
() => performance.getEntriesByType('resource').filter(e => e.name.includes('/data/'))
  .map(e => [e.name, e.transferSize, e.encodedBodySize, performance.timeOrigin + e.startTime,
             performance.timeOrigin + e.responseEnd])
