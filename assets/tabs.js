/* Tabs after the WAI-ARIA tabs pattern (components/tabs.py builds the markup).
 *
 * chorusTabs.choose is the clientside callback run when a tab is clicked (or chosen with
 * the keyboard below): it returns the chosen value for the Store, aria-selected and
 * tabIndex for every tab, and hidden for each panel when the panels are separate.
 * The keydown handler gives the arrow keys, Home and End: focus moves to the tab and
 * chooses it (automatic activation); Tab then leaves the tablist for the open panel.
 */
(function () {
  "use strict";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.chorusTabs = {
    choose: function (clicks) {
      var ctx = window.dash_clientside.callback_context;
      var triggered = ctx.triggered_id;
      var nu = window.dash_clientside.no_update;
      if (!triggered || typeof triggered !== "object") {
        return ctx.outputs_list.map(function () { return nu; });
      }
      var chosen = triggered.tab;
      var tabs = ctx.inputs_list[0].map(function (item) { return item.id.tab; });
      var result = [
        chosen,
        tabs.map(function (tab) { return tab === chosen ? "true" : "false"; }),
        tabs.map(function (tab) { return tab === chosen ? 0 : -1; }),
      ];
      for (var i = 3; i < ctx.outputs_list.length; i += 1) {
        result.push(tabs[i - 3] !== chosen);
      }
      return result;
    },
  };

  var KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  document.addEventListener("keydown", function (event) {
    var tab = event.target;
    if (!tab || !tab.getAttribute || tab.getAttribute("role") !== "tab") {
      return;
    }
    var list = tab.closest('[role="tablist"]');
    if (!list) {
      return;
    }
    var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
    var here = tabs.indexOf(tab);
    var next = null;
    if (event.key in KEYS) {
      next = tabs[(here + KEYS[event.key] + tabs.length) % tabs.length];
    } else if (event.key === "Home") {
      next = tabs[0];
    } else if (event.key === "End") {
      next = tabs[tabs.length - 1];
    }
    if (next) {
      event.preventDefault();
      next.focus();
      if (next.getAttribute("aria-selected") !== "true") {
        next.click();
      }
    }
  });
})();
