// The applicant queue: "select all" and a count of the selected rows. The same ticked
// boxes serve the assign form and the move form (each box names one with form=, the
// other is filled in on submit). Loaded as a file: the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.querySelector("[data-select-all]");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name='references'][type='checkbox']"));
  var count = document.querySelector("[data-selected-count]");
  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (count) count.textContent = n ? n + " ✓" : "";
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  var assign = document.getElementById("assign-form");
  if (assign) {
    assign.addEventListener("submit", function () {
      assign.querySelectorAll("input[data-copied]").forEach(function (i) { i.remove(); });
      boxes.forEach(function (b) {
        if (!b.checked) return;
        var copy = document.createElement("input");
        copy.type = "hidden"; copy.name = "references"; copy.value = b.value;
        copy.setAttribute("data-copied", "");
        assign.appendChild(copy);
      });
    });
  }
});
