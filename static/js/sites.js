// The apply page's site list, nearest first: only when the patient asks, the browser's
// position is used here, in the page, to sort the sites by distance (haversine, Earth
// radius 6371 km). The position is never sent to the portal.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-nearest]");
  var data = document.getElementById("site-coordinates");
  var select = document.getElementById("id_site");
  if (!box || !data || !select || !navigator.geolocation) return;
  var coordinates = JSON.parse(data.textContent);
  var status = box.querySelector("[data-nearest-status]");
  box.hidden = false;
  function km(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  }
  box.querySelector("button").addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      var here = [position.coords.latitude, position.coords.longitude];
      var options = Array.prototype.slice.call(select.options);
      var first = options.shift(); // "No preference" stays first
      options.forEach(function (option) {
        var at = coordinates[option.value];
        option.dataset.km = at ? km(here, at) : Infinity;
        if (at) option.textContent = option.textContent.replace(/ · \d+ km$/, "") + " · " + Math.round(option.dataset.km) + " km";
      });
      options.sort(function (a, b) { return a.dataset.km - b.dataset.km; });
      select.innerHTML = "";
      select.appendChild(first);
      options.forEach(function (option) { select.appendChild(option); });
      if (status) status.textContent = box.dataset.done;
      select.focus();
    }, function () {
      if (status) status.textContent = box.dataset.failed;
    });
  });
});
