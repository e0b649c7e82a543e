// Behaviour shared by the pages, kept out of the markup: the Content-Security-Policy runs no
// inline script or event handler. A select marked data-autosubmit submits its form when
// changed; a link or button marked data-print prints the page.
"use strict";
document.addEventListener("change", (event) => {
  const select = event.target.closest && event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
