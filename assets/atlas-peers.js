/*
 * PlurAlps Atlas peer table: built in the browser from the texts the server sends
 * (dashboard/views/peers.py `table_data`). A table of 50 peers is some 1,500 cells; sent as Dash components
 * its serialisation would cost the server more than finding the peers. The table is the same one the
 * server would build: the unit first, a button per peer (pattern id {type: "peer-open", unit}: the state
 * callback opens that profile), a title on cells with a source, and the region scrolls sideways on its own.
 */
(function () {
  "use strict";

  function el(type, props, children) {
    const p = Object.assign({}, props || {});
    if (children !== undefined) p.children = children;
    return { type: type, namespace: "dash_html_components", props: p };
  }

  function cell(type, spec, extra) {
    const props = Object.assign({ className: spec.cls || undefined, title: spec.title || undefined }, extra || {});
    return el(type, props, spec.text);
  }

  function table(data) {
    if (!data || !data.rows) return null;
    const head = el("Thead", {}, el("Tr", {}, data.headers.map(function (h) {
      if (h.title) return el("Th", { scope: "col", className: h.cls || undefined }, el("Abbr", { title: h.title }, h.text));
      return cell("Th", h, { scope: "col" });
    })));
    const body = el("Tbody", {}, data.rows.map(function (row) {
      const name = row.unit
        ? el("Button", { id: { type: data.openType, unit: row.unit }, className: "atlas-link", title: row.open }, row.name)
        : row.name;
      return el("Tr", { className: row.unit ? undefined : "atlas-row-highlight" }, [
        el("Td", { className: "num" }, row.rank),
        el("Th", { scope: "row" }, name),
      ].concat(row.cells.map(function (c) { return cell("Td", c); })));
    }));
    return el("Div", { className: "atlas-table-wrap atlas-peer-table-wrap", tabIndex: "0", role: "region",
      "aria-label": data.label },
      el("Table", { id: "peer-table", className: "atlas-table atlas-peer-table" }, [head, body]));
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, { atlas_peers: { table: table } });
})();
