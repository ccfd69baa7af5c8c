// "Autour de moi": shown only when the browser can give a position. The position, rounded to
// about 100 m, goes into the search form; nothing is sent anywhere else. The pages work without
// this script.
(function () {
  "use strict";
  var button = document.getElementById("pres-de-moi");
  if (button && "geolocation" in navigator) {
    var form = button.form;
    var near = document.getElementById("near");
    var commune = document.getElementById("commune");
    var state = document.getElementById("pres-de-moi-etat");
    button.hidden = false;
    button.addEventListener("click", function () {
      state.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (p) {
        near.value = p.coords.latitude.toFixed(3) + "," + p.coords.longitude.toFixed(3);
        commune.value = "";
        state.textContent = "";
        form.submit();
      }, function () {
        state.textContent = button.getAttribute("data-failed");
        commune.focus();
      }, { maximumAge: 300000, timeout: 15000 });
    });
    // A place typed by hand replaces a position given earlier.
    form.addEventListener("submit", function () {
      if (commune.value.trim() !== "") { near.value = ""; }
    });
  }
})();
