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
// "Cancel" on a form opened in place (a trafficking event's, under its row) closes it without
// loading the page again and gives the focus back to the link that opened it; without
// JavaScript it is a link to the page without the form.
document.addEventListener("click", function (event) {
  var target = event.target;
  var cancel = target instanceof Element ? target.closest("[data-close-edit]") : null;
  var region = cancel === null ? null : cancel.closest("[data-edit-region]");
  if (region === null) {
    return;
  }
  event.preventDefault();
  region.hidden = true;
  region.replaceChildren();
  var opener = document.getElementById(cancel.getAttribute("data-close-edit"));
  if (opener !== null) {
    opener.focus();
  }
});
