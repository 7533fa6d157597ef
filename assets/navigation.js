/* Page changes that people using a keyboard or a screen reader can follow.
 *
 * Dash changes page without loading a new document, so the browser itself does none of
 * this. When the address changes (a link in the app, Back or Forward):
 *  - a polite live region says "Loading", then the new page's name;
 *  - once the new page is drawn (a new h1 and no callback in flight), focus moves to its
 *    h1 and the document title becomes "<h1> - Chorus";
 *  - the navigation marks the current page's link with aria-current="page".
 * And for every request to the server: a visible "Loading" bar appears if the request
 * takes longer than 100 ms, and goes once no request is left.
 */
(function () {
  "use strict";

  var SHOW_AFTER_MS = 100;
  var inFlight = 0;
  var showTimer = null;
  var announcer = null;
  var bar = null;

  function ensureElements() {
    if (!document.body) {
      return false;
    }
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.id = "chorus-announcer";
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      announcer.setAttribute("aria-live", "polite");
      document.body.appendChild(announcer);
    }
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "chorus-loading";
      bar.className = "chorus-loading";
      bar.hidden = true;
      // Seen, not read out: the live region above does the announcing.
      bar.setAttribute("aria-hidden", "true");
      bar.textContent = "Loading\u2026";
      document.body.appendChild(bar);
    }
    return true;
  }

  function announce(text) {
    if (!ensureElements()) {
      return;
    }
    // Emptied first so the same words are announced again.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // --- the loading bar: any request to the server that takes more than 100 ms ----------
  function requestStarted() {
    inFlight += 1;
    if (showTimer === null) {
      showTimer = window.setTimeout(function () {
        showTimer = null;
        if (inFlight > 0 && ensureElements()) {
          bar.hidden = false;
        }
      }, SHOW_AFTER_MS);
    }
  }

  function requestEnded() {
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight === 0) {
      if (showTimer !== null) {
        window.clearTimeout(showTimer);
        showTimer = null;
      }
      if (bar) {
        bar.hidden = true;
      }
    }
  }

  if (window.fetch) {
    var originalFetch = window.fetch;
    window.fetch = function () {
      requestStarted();
      return originalFetch.apply(this, arguments).then(
        function (response) { requestEnded(); return response; },
        function (error) { requestEnded(); throw error; }
      );
    };
  }

  // --- the "Menu" button of the navigation on narrow screens ---------------------------
  function navParts() {
    var nav = document.getElementById("chorus-nav");
    var button = document.getElementById("chorus-nav-toggle");
    return nav && button ? { nav: nav, button: button } : null;
  }

  function setMenuOpen(parts, open) {
    parts.nav.classList.toggle("is-open", open);
    parts.button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var parts = navParts();
    if (!parts) {
      return;
    }
    if (event.target.closest && event.target.closest("#chorus-nav-toggle")) {
      setMenuOpen(parts, parts.button.getAttribute("aria-expanded") !== "true");
    } else if (event.target.closest && event.target.closest("#chorus-nav a")) {
      setMenuOpen(parts, false);  // a page was chosen: the menu has done its work
    }
  });
  document.addEventListener("keydown", function (event) {
    var parts = navParts();
    if (event.key !== "Escape" || !parts || parts.button.getAttribute("aria-expanded") !== "true") {
      return;
    }
    if (parts.nav.contains(document.activeElement)) {
      setMenuOpen(parts, false);
      parts.button.focus();
    }
  });

  // --- page changes ------------------------------------------------------------------
  var pending = null;  // {h1: the old h1 element}

  function markCurrentLink() {
    var here = window.location.pathname;
    var links = document.querySelectorAll("nav.chorus-nav a");
    for (var i = 0; i < links.length; i += 1) {
      var link = links[i];
      if (link.getAttribute("href") === here) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    }
  }

  function dashBusy() {
    var store = window.store && window.store.getState && window.store.getState();
    return Boolean(store && store.isLoading) ||
      document.querySelector('[data-dash-is-loading="true"]') !== null;
  }

  function finishIfDrawn() {
    markCurrentLink();
    if (!pending) {
      return;
    }
    var h1 = document.querySelector("#main h1") || document.querySelector("h1");
    if (!h1 || h1 === pending.h1 || dashBusy()) {
      return;
    }
    pending = null;
    var name = h1.textContent.trim();
    document.title = name + " - Chorus";
    if (!h1.hasAttribute("tabindex")) {
      h1.setAttribute("tabindex", "-1");
    }
    h1.focus({ preventScroll: false });
    announce(name);
  }

  function addressChanged() {
    lastPath = window.location.pathname;
    pending = { h1: document.querySelector("#main h1") || document.querySelector("h1") };
    announce("Loading");
    window.setTimeout(finishIfDrawn, 0);
  }

  ["pushState", "replaceState"].forEach(function (method) {
    var original = window.history[method];
    window.history[method] = function (state, title, url) {
      var before = window.location.pathname + window.location.search;
      var result = original.apply(this, arguments);
      var after = window.location.pathname + window.location.search;
      // A change of query on the same page (Explore keeps its view in the address) is not
      // a new page: only a new path moves the focus.
      if (method !== "pushState") {
        lastPath = window.location.pathname;
      } else if (before.split("?")[0] !== after.split("?")[0]) {
        addressChanged();
      }
      return result;
    };
  });
  var lastPath = window.location.pathname;
  window.addEventListener("popstate", function () {
    if (window.location.pathname !== lastPath) {
      addressChanged();
    }
  });

  // --- focus rescue: a redrawn control must not drop the focus to the page body -------
  // When a callback replaces the element that had the focus (a form redrawn after saving,
  // a page redrawn for a new query), the browser puts the focus on the body and the next
  // Tab starts again from the top. Focus the replacement (same id) or else the page's h1.
  var lastFocused = null;
  document.addEventListener("focusin", function (event) { lastFocused = event.target; });

  function focusable(element) {
    return element && element.isConnected && !element.disabled && element.offsetParent !== null;
  }

  function rescueFocus() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) {
      return;
    }
    if (!lastFocused) {
      return;
    }
    var target = null;
    if (!lastFocused.isConnected && lastFocused.id) {
      target = document.getElementById(lastFocused.id);  // the redrawn replacement
    }
    if (!focusable(target) && lastFocused.isConnected) {
      // Disabled or hidden where it stands (a button busy with its request): its section.
      target = lastFocused.closest(
        "[role=tabpanel], [role=region], fieldset, form, section, main"
      );
    }
    if (!focusable(target)) {
      target = document.querySelector("#main h1") || document.querySelector("h1");
    }
    if (target) {
      if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
        target.setAttribute("tabindex", "-1");
      }
      lastFocused = target;
      target.focus({ preventScroll: true });
    }
  }

  new MutationObserver(function () {
    rescueFocus();
    finishIfDrawn();
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["disabled", "hidden"],
  });
  // Callbacks can end without changing the page's elements: look again now and then
  // while a page change is waiting.
  window.setInterval(function () {
    rescueFocus();
    if (pending) {
      finishIfDrawn();
    }
  }, 200);
})();
