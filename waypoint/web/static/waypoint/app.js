"use strict";
// Submit the language form as soon as a language is picked; the button stays for keyboards
// and for browsers without JavaScript.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
// Print buttons cannot use inline handlers under the content security policy.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
