/* Long lists of choices filled in when someone reaches them (components/controls.py,
 * LAZY_OPTIONS).
 *
 * A select or a folded menu of checkboxes is drawn with only what it shows; the element
 * around it carries data-chorus-options: the control's Dash id and its whole list. When
 * the pointer moves over it, a finger touches it, the focus reaches it (Tab) or a folded
 * menu opens, the whole list is handed to Dash (set_props), which draws it. The values
 * and the chosen option do not change, so nothing is sent to the server.
 */
(function () {
  "use strict";

  var ATTRIBUTE = "data-chorus-options";

  function fill(holder) {
    var raw = holder.getAttribute(ATTRIBUTE);
    var api = window.dash_clientside;
    if (!raw || !api || !api.set_props) {
      return;
    }
    holder.removeAttribute(ATTRIBUTE);
    try {
      var spec = JSON.parse(raw);
      api.set_props(spec.id, { options: spec.options });
    } catch (error) {
      holder.setAttribute(ATTRIBUTE, raw);
    }
  }

  function fillFrom(event) {
    var target = event.target;
    var holder = target && target.closest && target.closest("[" + ATTRIBUTE + "]");
    if (holder) {
      fill(holder);
    }
  }

  // Every list inside an element (a form just opened).
  function fillWithin(element) {
    if (!element || !element.querySelectorAll) {
      return;
    }
    element.querySelectorAll("[" + ATTRIBUTE + "]").forEach(fill);
  }

  document.addEventListener("mouseover", fillFrom, { passive: true });
  document.addEventListener("touchstart", fillFrom, { passive: true });
  document.addEventListener("focusin", fillFrom);
  // A details element's toggle does not bubble: listen in the capture phase.
  document.addEventListener("toggle", fillFrom, true);

  window.chorusLazyOptions = { fill: fill, fillWithin: fillWithin };
})();
