/* Sortable tables (components/authority_table.py): a button in each column header sorts
 * the rows by that column, ascending first and then toggling. The header's aria-sort says
 * the order, and a polite live region beside the table says it in words. Cells carry
 * data-sort values; empty values (no figure, not ranked) always sort last.
 */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.children[index];
    return cell ? cell.getAttribute("data-sort") || "" : "";
  }

  function compare(a, b, kind) {
    if (a === "" && b === "") { return 0; }
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    if (kind === "number") { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b);
  }

  function announce(table, text) {
    var status = table.parentNode.querySelector(".sort-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "sort-status visually-hidden";
      status.setAttribute("role", "status");
      table.parentNode.appendChild(status);
    }
    status.textContent = text;
  }

  function sortBy(button) {
    var th = button.closest("th");
    var table = button.closest("table");
    var headers = Array.prototype.slice.call(th.parentNode.children);
    var index = headers.indexOf(th);
    var kind = button.getAttribute("data-sort-kind");
    var order = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", order);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var va = cellValue(a, index), vb = cellValue(b, index);
      if (va === "" || vb === "") { return compare(va, vb, kind); }
      var c = compare(va, vb, kind);
      return order === "ascending" ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    announce(table, "Sorted by " + button.textContent.trim().toLowerCase() + ", " + order + ".");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".sortable-table .sort-button");
    if (button) {
      sortBy(button);
    }
  });
})();
