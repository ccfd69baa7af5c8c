// « Autour de moi »: shown only when the browser can give a position. The position, rounded to
// about 100 m, is sent once in the body of a POST (never in a URL); the server answers with the
// search in the arrondissement or commune around it. The pages work without this script.
(function () {
  "use strict";
  var button = document.getElementById("pres-de-moi");
  if (!button || !("geolocation" in navigator)) { return; }
  var form = button.form;
  var commune = document.getElementById("commune");
  var state = document.getElementById("pres-de-moi-etat");
  button.hidden = false;
  button.addEventListener("click", function () {
    state.textContent = button.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(function (p) {
      var near = document.createElement("input");
      near.type = "hidden";
      near.name = "near";
      near.value = p.coords.latitude.toFixed(3) + "," + p.coords.longitude.toFixed(3);
      form.appendChild(near);
      commune.value = "";
      form.method = "post";
      form.submit();
    }, function () {
      state.textContent = button.getAttribute("data-failed");
      commune.focus();
    }, { maximumAge: 300000, timeout: 15000 });
  });
})();
