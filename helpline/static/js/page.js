// Behaviour shared by the pages, kept out of the markup: the Content-Security-Policy runs no
// inline script or event handler. A select marked data-autosubmit submits its form when
// changed; a link or button marked data-print prints the page. Each cell of a table marked
// data-stack is named by its column's heading (data-label): on a phone the style sheet shows
// such a table as one block per row, the name before each cell.
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
document.querySelectorAll("table[data-stack]").forEach((table) => {
  const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  table.querySelectorAll("tbody tr").forEach((row) => {
    let column = 0;
    [...row.cells].forEach((cell) => {
      if (cell.colSpan === 1 && heads[column]) cell.dataset.label = heads[column];
      column += cell.colSpan;
    });
  });
});
