/* Import page: give the upload's hidden file input a name and drop its autocomplete value
 * so screen readers announce it and it passes accessibility checks. */
(function () {
  "use strict";

  function label(root) {
    var input = root.querySelector("#imp-upload input[type=file], .import-upload input[type=file]");
    if (input && !input.hasAttribute("aria-label")) {
      input.setAttribute("aria-label", "Choose a file to import");
      input.removeAttribute("autocomplete");
    }
  }

  new MutationObserver(function () { label(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
