/* Live Learning Network sessions: conditional polling of the session's version.
 *
 * Acts only on a page with a poller element (#live-poller on a participant's screen,
 * #present-poller on the present screen), whose data attributes name the session, the
 * mode and the dcc.Store to set. About once a second it asks /api/live/<id>/version with
 * the ETag it last saw; an unchanged session answers 304 with no body. When what the
 * screen follows changes (a participant follows the step, whether the session ended and
 * whether anonymous contributions are allowed; the present screen follows every change),
 * it sets the store's data, and one Dash callback redraws. A participant's screen also
 * follows the session's poll version ("poll"), in a store of its own, so a vote redraws
 * the poll and not the step. Polling pauses while the tab
 * is hidden. On a network or server error it waits longer each time (up to 15 s) and
 * then asks again without an ETag, so a screen that lost its connection comes back at
 * the live step.
 */
(function () {
  "use strict";

  var EVERY = 1000;
  var LONGEST = 15000;
  var state = {
    session: null, etag: null, key: null, poll: null, delay: EVERY, timer: null, busy: false
  };

  function poller() {
    return document.getElementById("live-poller") || document.getElementById("present-poller");
  }

  function running() {
    var end = document.getElementById("live-end");
    return Boolean(end) && !end.hidden;
  }

  function schedule(ms) {
    if (state.timer) {
      clearTimeout(state.timer);
    }
    state.timer = setTimeout(tick, ms);
  }

  function keyOf(mode, data) {
    if (mode === "present") {
      return String(data.version);
    }
    return [data.step, data.ended, data.anonymous].join("|");
  }

  function poke(storeId, data) {
    var dc = window.dash_clientside;
    if (storeId && dc && typeof dc.set_props === "function") {
      dc.set_props(storeId, { data: data });
    }
  }

  function failed() {
    state.etag = null;
    state.key = null;
    state.delay = Math.min(state.delay * 2, LONGEST);
    schedule(state.delay);
  }

  function tick() {
    var node = poller();
    if (!node) {
      state.session = null;
      schedule(EVERY);
      return;
    }
    if (document.hidden || state.busy) {
      return; /* visibilitychange or the answer in flight starts the next one */
    }
    var session = node.getAttribute("data-session");
    var mode = node.getAttribute("data-mode");
    if (mode === "present" && !running()) {
      /* The present screen asks only while its session is live (End shown): before Start
       * and after End there is nothing to follow, and no 404 to ask for. */
      state.session = null;
      schedule(EVERY);
      return;
    }
    var store = node.getAttribute("data-store");
    if (session !== state.session) {
      state.session = session;
      state.etag = null;
      /* What the page was drawn at: a change before the first answer still redraws. */
      state.key = node.getAttribute("data-key") || null;
      state.poll = node.getAttribute("data-poll") || null;
      state.delay = EVERY;
    }
    var headers = { Accept: "application/json" };
    if (state.etag) {
      headers["If-None-Match"] = state.etag;
    }
    state.busy = true;
    fetch("/api/live/" + encodeURIComponent(session) + "/version", {
      headers: headers,
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      state.busy = false;
      if (response.status === 304) {
        state.delay = EVERY;
        schedule(EVERY);
        return null;
      }
      if (response.status === 404) {
        /* Not live (yet): ask again in two seconds. */
        state.etag = null;
        schedule(2 * EVERY);
        return null;
      }
      if (!response.ok) {
        failed();
        return null;
      }
      state.etag = response.headers.get("ETag");
      return response.json().then(function (data) {
        state.delay = EVERY;
        var key = keyOf(mode, data);
        if (state.key !== null && key !== state.key) {
          poke(store, data);
        } else if (state.key === null && node.getAttribute("data-seen") === "1") {
          poke(store, data); /* back after an error: redraw at the live step */
        }
        /* A vote or a poll opened or closed: redraw only the poll (its own store). */
        var poll = String(data.poll);
        var pollStore = node.getAttribute("data-poll-store");
        if (pollStore && state.poll !== null && poll !== state.poll) {
          poke(pollStore, data.poll);
        }
        state.poll = poll;
        node.setAttribute("data-seen", "1");
        state.key = key;
        schedule(EVERY);
      });
    }).catch(function () {
      state.busy = false;
      failed();
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule(0);
    }
  });
  schedule(EVERY);
})();
