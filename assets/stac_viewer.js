// cogtiler's STAC viewer: lists the item's readable assets (/stac/assets), lets the user pick
// the ones that become the bands (and an optional expression), then shows the tiles of the
// /stac TileJSON on a Leaflet map. Everything is served by cogtiler, so it works offline.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var urlInput = document.getElementById("url");
  var assetSelect = document.getElementById("assets");
  var exprInput = document.getElementById("expression");
  var extraInput = document.getElementById("extra");
  var status = document.getElementById("status");
  urlInput.value = params.get("url") || window.COGTILER_ITEM_URL || "";
  exprInput.value = params.get("expression") || "";
  var wanted = params.getAll("assets");
  var extra = new URLSearchParams(params);
  ["url", "assets", "expression"].forEach(function (k) { extra.delete(k); });
  extraInput.value = extra.toString();

  var map = L.map("map", { attributionControl: true }).setView([0, 0], 1);
  var layer = null;
  var outline = null;

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  function getJson(path) {
    return fetch(path).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.detail ? JSON.stringify(body.detail) : "HTTP " + res.status);
        return body;
      });
    });
  }

  // Fills the asset list; keeps the wanted ones selected, else the first three (true colour
  // for most multi-band items) or the only one.
  function loadAssets() {
    setStatus("reading " + urlInput.value + " ...", false);
    return getJson("/stac/assets?url=" + encodeURIComponent(urlInput.value)).then(function (names) {
      assetSelect.innerHTML = "";
      var pick = wanted.length ? wanted : names.slice(0, names.length >= 3 ? 3 : 1);
      names.forEach(function (n) {
        var o = document.createElement("option");
        o.value = n;
        o.textContent = n;
        o.selected = pick.indexOf(n) >= 0;
        assetSelect.appendChild(o);
      });
      return names;
    });
  }

  function selectedAssets() {
    return Array.prototype.filter
      .call(assetSelect.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
  }

  function show() {
    var q = new URLSearchParams(extraInput.value);
    q.set("url", urlInput.value);
    selectedAssets().forEach(function (a) { q.append("assets", a); });
    if (exprInput.value) q.set("expression", exprInput.value);
    q.set("tilesize", "256");
    return getJson("/stac/WebMercatorQuad/tilejson.json?" + q.toString()).then(function (tj) {
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
      setStatus(q.getAll("assets").join(", ") + ", zoom " + tj.minzoom + "-" + tj.maxzoom, false);
      var u = new URLSearchParams(q);
      u.delete("tilesize");
      history.replaceState(null, "", "?" + u.toString());
    });
  }

  function fail(err) { setStatus(String(err.message || err), true); }

  document.getElementById("panel").addEventListener("submit", function (e) {
    e.preventDefault();
    show().catch(fail);
  });
  urlInput.addEventListener("change", function () {
    wanted = [];
    loadAssets().catch(fail);
  });
  if (urlInput.value) {
    loadAssets().then(show).catch(fail);
  } else {
    setStatus("enter a STAC Item URL", false);
  }
})();
