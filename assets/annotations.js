/* Note markers on indicator charts, swapped in the browser (no request, no redraw when a
 * chart has no notes).
 *
 * The panel's note-markers Store holds what the server built for the notes the user may
 * see (components/annotations.py, marker_overlay): one marker trace per kind, shaded
 * spans for ranges, and the hidden axis the markers sit on. drawMarkers takes the chart's
 * own note traces and spans out (by the prefixes of is_note_trace and is_note_shape) and
 * puts these in. Hover texts were escaped on the server; nothing here reads or writes
 * page data.
 */
(function () {
  "use strict";

  var TRACE_PREFIX = "chorus-note-";
  var SHAPE_PREFIX = "chorus-note-range-";

  function isNoteTrace(trace) {
    return String((trace && trace.uid) || "").indexOf(TRACE_PREFIX) === 0;
  }

  function isNoteShape(shape) {
    return String((shape && shape.name) || "").indexOf(SHAPE_PREFIX) === 0;
  }

  function drawMarkers(markers, figure) {
    var noUpdate = window.dash_clientside.no_update;
    if (!markers || !figure) {
      return noUpdate;
    }
    var data = figure.data || [];
    var layout = figure.layout || {};
    var shapes = layout.shapes || [];
    var keptData = data.filter(function (trace) { return !isNoteTrace(trace); });
    var keptShapes = shapes.filter(function (shape) { return !isNoteShape(shape); });
    var traces = markers.traces || [];
    var spans = markers.shapes || [];
    var hadNotes = keptData.length !== data.length || keptShapes.length !== shapes.length;
    if (!hadNotes && traces.length === 0 && spans.length === 0) {
      return noUpdate;
    }
    var newLayout = Object.assign({}, layout, { shapes: keptShapes.concat(spans) });
    newLayout[markers.axis_name] = markers.axis;
    return Object.assign({}, figure, { data: keptData.concat(traces), layout: newLayout });
  }

  // --- the "Add a note" button: opens the panel's note form in the browser -------------
  // The form starts hidden so a panel fits one screen. Opening moves the focus to the
  // form's first field; Cancel or Escape closes it and gives the focus back to the button.
  function formParts(element) {
    var formId = element && element.getAttribute("data-note-form");
    var form = formId && document.getElementById(formId);
    var button = form && document.querySelector(
      '.note-form-open[data-note-form="' + formId + '"]'
    );
    return form && button ? { form: form, button: button } : null;
  }

  function openForm(parts) {
    // The period pickers' lists wait until the form opens (assets/lazy_options.js).
    if (window.chorusLazyOptions) {
      window.chorusLazyOptions.fillWithin(parts.form);
    }
    parts.form.hidden = false;
    parts.button.setAttribute("aria-expanded", "true");
    parts.button.hidden = true;
    var first = parts.form.querySelector("input:checked, input, select, textarea");
    if (first) {
      first.focus();
    }
  }

  function closeForm(parts) {
    parts.form.hidden = true;
    parts.button.hidden = false;
    parts.button.setAttribute("aria-expanded", "false");
    parts.button.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-note-form]");
    var parts = formParts(target);
    if (!parts) {
      return;
    }
    if (target.classList.contains("note-form-open")) {
      openForm(parts);
    } else if (target.classList.contains("note-form-cancel")) {
      closeForm(parts);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var form = event.target.closest && event.target.closest("section.note-form");
    if (form && !form.hidden) {
      var parts = formParts(form.querySelector(".note-form-cancel"));
      if (parts) {
        event.preventDefault();
        closeForm(parts);
      }
    }
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    chorusNotes: { drawMarkers: drawMarkers }
  });
})();
