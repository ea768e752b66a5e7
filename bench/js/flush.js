// Reading one pixel back waits until the GPU (SwiftShader) has rasterised the frame: "to pixels" timings.
window.__flush = function (map) {
  const c = map.getCanvas();
  const gl = c.getContext('webgl2') || c.getContext('webgl');
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  return performance.now();
};
