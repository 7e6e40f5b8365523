// cogtiler's vector map viewer (/collections/{id}/tiles/WebMercatorQuad/map.html): draws the
// collection's vector tiles with MapLibre GL (served by cogtiler, no CDN, no base map).
// The page's JSON config gives the collection id and its tilejson.json URL (with the page's
// query, so filters reach the tile URLs). When the map is idle, #status says how many features
// are rendered (data-state="rendered" and data-features), and so does the document title: the
// headless-browser test reads them.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('viewer-config').textContent);
  var statusEl = document.getElementById('status');

  function status(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    document.title = config.collection + ' viewer: ' + text;
  }

  // Web Mercator stops at ±85.0511°; world bounds (±90) would project to infinity.
  var MAX_LAT = 85.0511;
  function clampBounds(b) {
    return [
      Math.max(b[0], -180), Math.max(b[1], -MAX_LAT),
      Math.min(b[2], 180), Math.min(b[3], MAX_LAT)
    ];
  }

  function layers(sourceLayer) {
    var common = { source: 'collection', 'source-layer': sourceLayer };
    function layer(id, type, geom, paint) {
      // a multi-part feature's type is Multi* in MapLibre 5's expressions
      var filter = ['in', ['geometry-type'], ['literal', [geom, 'Multi' + geom]]];
      var l = { id: id, type: type, filter: filter, paint: paint };
      for (var k in common) l[k] = common[k];
      return l;
    }
    return [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f4f0' } },
      layer('polygons', 'fill', 'Polygon',
        { 'fill-color': 'rgba(200, 100, 240, 0.4)', 'fill-outline-color': '#000' }),
      layer('lines', 'line', 'LineString', { 'line-color': '#333', 'line-width': 1.5 }),
      layer('points', 'circle', 'Point', {
        'circle-color': '#d33', 'circle-radius': 4,
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1
      })
    ];
  }

  function start(tj) {
    var source = {
      type: 'vector',
      tiles: tj.tiles,
      minzoom: tj.minzoom !== undefined ? tj.minzoom : 0,
      maxzoom: tj.maxzoom !== undefined ? tj.maxzoom : 22
    };
    if (tj.bounds) source.bounds = clampBounds(tj.bounds);
    var sourceLayer = (tj.vector_layers && tj.vector_layers[0] && tj.vector_layers[0].id) || 'default';
    var map = new maplibregl.Map({
      container: 'map',
      style: { version: 8, sources: { collection: source }, layers: layers(sourceLayer) },
      center: [0, 0],
      zoom: 0,
      attributionControl: false
    });
    window.cogtilerMap = map;
    map.addControl(new maplibregl.NavigationControl(), 'top-right');
    if (tj.bounds) {
      var b = clampBounds(tj.bounds);
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 20, animate: false });
    }
    map.on('error', function (e) {
      status('error', 'error: ' + ((e && e.error && e.error.message) || 'map error'));
    });
    map.on('idle', function () {
      var n = map.queryRenderedFeatures().filter(function (f) {
        return f.source === 'collection';
      }).length;
      statusEl.dataset.features = String(n);
      status('rendered', n + ' features rendered');
    });
    map.on('click', function (e) {
      var f = map.queryRenderedFeatures(e.point)[0];
      if (!f || f.source !== 'collection') return;
      var rows = Object.keys(f.properties).map(function (k) {
        var tr = document.createElement('tr');
        var th = document.createElement('th');
        var td = document.createElement('td');
        th.textContent = k;  // textContent: property values are data, never markup
        td.textContent = String(f.properties[k]);
        tr.appendChild(th);
        tr.appendChild(td);
        return tr;
      });
      var table = document.createElement('table');
      rows.forEach(function (r) { table.appendChild(r); });
      new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(table).addTo(map);
    });
  }

  fetch(config.tilejson)
    .then(function (res) {
      if (!res.ok) throw new Error('tilejson.json: HTTP ' + res.status);
      return res.json();
    })
    .then(start)
    .catch(function (err) { status('error', 'error: ' + err.message); });
})();
