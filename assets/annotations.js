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

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    chorusNotes: { drawMarkers: drawMarkers }
  });
})();
