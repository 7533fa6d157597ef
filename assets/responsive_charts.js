/* Charts that reflow (components/charts.py responsive_layout): a chart drawn narrower than
 * its layout.meta.narrow_px gets the settings in layout.meta.narrow (fewer tick labels,
 * smaller text, slimmer margins); widened again, it gets layout.meta.wide back. The
 * settings themselves are decided in Python; this only applies them.
 */
(function () {
  "use strict";

  var state = new WeakMap();  // graph div -> "narrow" or "wide" as last applied

  function settle(gd) {
    var meta = gd.layout && gd.layout.meta;
    if (!meta || !meta.narrow || !window.Plotly || !gd._fullLayout) {
      return;
    }
    var wanted = gd.clientWidth > 0 && gd.clientWidth < meta.narrow_px ? "narrow" : "wide";
    var known = state.get(gd);
    // A new figure (Plotly.react) comes drawn wide: compare with the layout object too.
    if (known && known.layout === gd.layout && known.mode === wanted) {
      return;
    }
    var current = known && known.layout === gd.layout ? known.mode : "wide";
    state.set(gd, {layout: gd.layout, mode: wanted});
    if (current !== wanted) {
      window.Plotly.relayout(gd, meta[wanted]);
    }
  }

  function watch(gd) {
    if (gd.__chorusResponsive || typeof gd.on !== "function") {
      return;
    }
    gd.__chorusResponsive = true;
    gd.on("plotly_afterplot", function () { settle(gd); });
    settle(gd);
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(watch);
  }

  new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
  window.addEventListener("resize", function () {
    document.querySelectorAll(".js-plotly-plot").forEach(settle);
  });
})();
