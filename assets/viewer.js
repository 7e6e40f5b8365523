// cogtiler's dataset viewer: asks cogtiler for the dataset's TileJSON, then shows its tiles on
// a Leaflet map. Everything (Leaflet included) is served by cogtiler, so it works offline.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var urlInput = document.getElementById("url");
  var extraInput = document.getElementById("extra");
  var status = document.getElementById("status");
  urlInput.value = params.get("url") || window.COGTILER_DATASET_URL || "sample";
  var extra = new URLSearchParams(params);
  extra.delete("url");
  extraInput.value = extra.toString();

  var map = L.map("map", { attributionControl: true }).setView([0, 0], 1);
  var layer = null;
  var outline = null;

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function show() {
    var q = new URLSearchParams(extraInput.value);
    q.set("url", urlInput.value);
    q.set("tilesize", "256");
    setStatus("loading " + urlInput.value + " ...", false);
    fetch("/cog/WebMercatorQuad/tilejson.json?" + q.toString())
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body.detail ? JSON.stringify(body.detail) : "HTTP " + res.status);
          return body;
        });
      })
      .then(function (tj) {
        if (layer) map.removeLayer(layer);
        if (outline) map.removeLayer(outline);
        var b = tj.bounds;
        var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        layer = L.tileLayer(tj.tiles[0], {
          minZoom: 0,
          maxNativeZoom: tj.maxzoom,
          maxZoom: tj.maxzoom + 3,
          bounds: bounds,
          tileSize: 256,
          attribution: "cogtiler",
        });
        layer.on("tileerror", function () { setStatus("some tiles failed to load", true); });
        layer.addTo(map);
        outline = L.rectangle(bounds, { color: "#3bb2d0", weight: 1, fill: false }).addTo(map);
        map.fitBounds(bounds);
        setStatus(tj.data_type + ", zoom " + tj.minzoom + "-" + tj.maxzoom, false);
        var u = new URLSearchParams(q);
        u.delete("tilesize");
        history.replaceState(null, "", "?" + u.toString());
      })
      .catch(function (err) { setStatus(String(err.message || err), true); });
  }

  document.getElementById("panel").addEventListener("submit", function (e) {
    e.preventDefault();
    show();
  });
  show();
})();
