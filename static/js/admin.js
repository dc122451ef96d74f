// Django's admin: an autocomplete field (select2) is replaced by a combobox that does not
// take its name from the field's <label>: name it after that label (and its value).
(function () {
  "use strict";
  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var box = select.nextElementSibling;
      if (!label || !box || !box.classList.contains("select2")) { return; }
      if (!label.id) { label.id = select.id + "-label"; }
      var rendered = box.querySelector(".select2-selection__rendered");
      var combobox = box.querySelector('[role="combobox"]');
      if (rendered) { rendered.setAttribute("aria-labelledby", label.id); }
      if (combobox) {
        combobox.setAttribute("aria-labelledby", label.id + (rendered ? " " + rendered.id : ""));
      }
    });
  }
  // The admin starts select2 in a jQuery ready handler: run after it.
  var ready = window.django && window.django.jQuery;
  if (ready) { ready(function () { nameComboboxes(document); }); }
  document.addEventListener("formset:added", function (event) { nameComboboxes(event.target); });
})();
