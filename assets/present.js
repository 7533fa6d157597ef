/* Present mode keyboard control (Learning Network sessions).
 *
 * ArrowRight, Space and PageDown press "Next"; ArrowLeft and PageUp press "Previous";
 * "t" presses "Show table"; "d" presses "Show full description" (the caption's hidden
 * sentences), which shows or hides them and says so in a status region. Keys typed into a form field, a dropdown or a radio group
 * keep their usual meaning, and Space on a focused button or link is left to the browser
 * (it already presses it). Only acts on the present page (#present-root).
 */
(function () {
  "use strict";

  function isFormControl(element) {
    if (!element || !element.closest) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    return element.closest(
      "input, textarea, select, [role=combobox], [role=listbox], [role=radiogroup], .dash-dropdown"
    ) !== null;
  }

  function target(key, element) {
    if (key === "ArrowRight" || key === "PageDown") {
      return "present-next";
    }
    if (key === "ArrowLeft" || key === "PageUp") {
      return "present-prev";
    }
    if (key === " " || key === "Spacebar") {
      if (element && element.closest && element.closest("button, a, summary, [role=button]")) {
        return null;
      }
      return "present-next";
    }
    if (key === "t" || key === "T") {
      return "present-table";
    }
    if (key === "d" || key === "D") {
      return "present-details-toggle";
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("present-root")) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    if (isFormControl(event.target)) {
      return;
    }
    var id = target(event.key, event.target);
    var button = id ? document.getElementById(id) : null;
    if (!button || button.disabled) {
      return;
    }
    event.preventDefault();
    button.click();
  });

  // The caption's full text: shown and hidden in the page (no request), and announced.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("#present-details-toggle");
    if (!toggle) {
      return;
    }
    var more = document.getElementById("present-caption-more");
    var status = document.getElementById("present-details-status");
    if (!more) {
      return;
    }
    var show = toggle.getAttribute("aria-expanded") !== "true";
    more.hidden = !show;
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
    toggle.textContent = show ? "Hide full description" : "Show full description";
    if (status) {
      status.textContent = show ? "Full description shown below the chart."
        : "Full description hidden.";
    }
  });
})();
