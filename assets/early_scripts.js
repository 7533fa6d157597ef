/* Run the chart scripts the page preloads (plotly.js, Dash's graph and dropdown chunks).
 *
 * Dash's renderer calls window.chorusRunEarlyScripts just before it requests the layout
 * (app.py: RENDERER_HOOKS). The scripts then run while the layout and the page content are
 * on their way, instead of delaying that request (as a deferred script would) or waiting
 * until the first chart appears (Dash's own lazy loading). They are added in document
 * order, plotly.js first; nothing here reads or writes page data.
 */
(function () {
  "use strict";

  var started = false;

  function run() {
    var links = document.querySelectorAll("link[rel=preload][as=script][data-chorus-early]");
    Array.prototype.forEach.call(links, function (link) {
      if (link.getAttribute("data-chorus-early") === "plotly") {
        // Should a graph appear before this has run (a slow network), Dash's own loader
        // then asks for the same, preloaded address instead of downloading plotly.js again.
        window._dashPlotlyJSURL = link.href;
      }
      var script = document.createElement("script");
      script.src = link.href;
      script.async = false;
      document.body.appendChild(script);
    });
  }

  window.chorusRunEarlyScripts = function () {
    if (started) {
      return;
    }
    started = true;
    // After the current task, in which the renderer sends its layout request.
    window.setTimeout(run, 0);
  };
})();
