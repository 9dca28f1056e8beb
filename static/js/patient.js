// Patient pages: move focus to the error summary, and from its links to the fields.
// Loaded as a file (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var question = field.closest(".question, .mb-3, fieldset") || field;
    question.scrollIntoView();
    field.focus();
  });
});

// A number and its "I don't know" work like the options of a choice: choosing one clears
// the other. Without script, the server asks again when both arrive.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".dont-know input[type='radio'][name$='__unknown']").forEach(function (radio) {
    var input = document.querySelector("input[type='text'][name='" + radio.name.replace(/__unknown$/, "") + "']");
    if (!input) return;
    input.addEventListener("input", function () {
      if (input.value.trim()) radio.checked = false;
    });
    radio.addEventListener("change", function () {
      if (radio.checked) input.value = "";
    });
  });
});
