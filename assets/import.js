/* File uploads (Dash's dcc.Upload): give each hidden file input a name and drop its
 * autocomplete value so screen readers announce it and it passes accessibility checks. */
(function () {
  "use strict";

  var NAMES = [
    ["#imp-upload input[type=file], .import-upload input[type=file]", "Choose a file to import"],
    [".voice-upload input[type=file]", "Choose a CSV file of quotes to import"],
  ];

  function label(root) {
    NAMES.forEach(function (pair) {
      var input = root.querySelector(pair[0]);
      if (input && !input.hasAttribute("aria-label")) {
        input.setAttribute("aria-label", pair[1]);
        input.removeAttribute("autocomplete");
      }
    });
  }

  new MutationObserver(function () { label(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
