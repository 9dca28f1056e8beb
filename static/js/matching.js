// Find trials for me: type-ahead over the catalogue's own terms and cities (by POST), and the
// browser's location, sent by POST only after the patient presses "Use my location"
// (the browser asks first). Nothing goes to a third party.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-typeahead]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) return;
      timer = setTimeout(function () {
        // By POST: what a patient types (a condition) never goes into an address or a log.
        var body = new FormData();
        body.append("q", text);
        var token = document.querySelector("input[name=csrfmiddlewaretoken]");
        fetch(input.dataset.typeahead, {
          method: "POST", body: body, credentials: "same-origin",
          headers: {"X-CSRFToken": token ? token.value : ""}
        })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            var items = data.terms || data.places || [];
            list.replaceChildren.apply(list, items.map(function (item) {
              var option = document.createElement("option");
              option.value = item.term || item.name;
              return option;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });

  var button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  document.getElementById("use-location-note").hidden = false;
  var status = document.getElementById("location-status");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      var body = new FormData();
      body.append("latitude", position.coords.latitude.toFixed(3));
      body.append("longitude", position.coords.longitude.toFixed(3));
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(button.dataset.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": token ? token.value : ""}
      }).then(function (response) {
        if (response.ok) { window.location.reload(); }
        else { status.textContent = button.dataset.failed || ""; }
      });
    }, function () {
      status.textContent = document.getElementById("use-location-note").dataset.refused || "";
    });
  });
});
