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
