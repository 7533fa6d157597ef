/* Import page: a real file input, and the chosen file sent straight to the server.
 *
 * The file goes as the raw body of POST /import/upload (its name in X-Filename, the CSRF
 * token from the _csrf_token cookie in X-CSRFToken), never through a Dash callback, so
 * the server streams it to disk. Progress and problems are said in the page's live region
 * (#imp-upload-status); the answer's token is put in the imp-upload store with
 * dash_clientside.set_props, and the page's callbacks carry on from there.
 *
 * Also gives the Voice page's dcc.Upload input a name for screen readers.
 */
(function () {
  "use strict";

  var NAMES = [[".voice-upload input[type=file]", "Choose a CSV file of quotes to import"]];
  var ACCEPT = ".csv,.xlsx,.parquet,text/csv";

  function label(root) {
    NAMES.forEach(function (pair) {
      var input = root.querySelector(pair[0]);
      if (input && !input.hasAttribute("aria-label")) {
        input.setAttribute("aria-label", pair[1]);
        input.removeAttribute("autocomplete");
      }
    });
  }

  function addFileInput() {
    var slot = document.getElementById("imp-file-slot");
    if (!slot || document.getElementById("imp-file")) {
      return;
    }
    var input = document.createElement("input");
    input.type = "file";
    input.id = "imp-file";
    input.name = "file";
    input.accept = ACCEPT;
    input.className = "import-file-input";
    input.setAttribute("aria-describedby", "imp-file-hint");
    slot.appendChild(input);
  }

  function say(text, kind) {
    var region = document.getElementById("imp-upload-status");
    if (region) {
      region.textContent = text;
      region.className = "import-upload-status import-message import-" + kind;
    }
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function chosenFormat() {
    var radio = document.querySelector('input[name="imp-format"]:checked');
    return radio ? radio.value : "template";
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("en-GB", { maximumFractionDigits: 1 });
  }

  function send(file, box) {
    var limit = Number(box.getAttribute("data-max-bytes"));
    if (limit && file.size > limit) {
      say(file.name + ": the file is larger than the limit of " +
          box.getAttribute("data-max-mb") + " MB. Split it (for example by year) and " +
          "import the parts.", "error");
      return;
    }
    var url = box.getAttribute("data-upload-url") + "?format=" +
      encodeURIComponent(chosenFormat());
    var request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.setRequestHeader("X-Filename", encodeURIComponent(file.name));
    request.setRequestHeader("X-CSRFToken", cookie("_csrf_token"));
    request.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        say("Uploading " + file.name + ": " + megabytes(event.loaded) + " of " +
            megabytes(event.total) + " MB.", "info");
      }
    };
    request.onload = function () {
      var answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch (ignored) {
        answer = {};
      }
      if (request.status === 201 && answer.token) {
        say(answer.filename + " uploaded. Reading it now.", "info");
        window.dash_clientside.set_props("imp-upload", {
          data: { token: answer.token, filename: answer.filename }
        });
      } else if (request.status === 401) {
        say("You have been signed out. Sign in again and choose the file again.", "error");
      } else {
        say(answer.error || (file.name + ": the upload was refused. Try again."), "error");
      }
    };
    request.onerror = function () {
      say(file.name + ": the upload did not finish. Check the connection and try again.",
          "error");
    };
    say("Uploading " + file.name + ".", "info");
    request.send(file);
  }

  // One listener for the page, so a re-rendered input still works.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.id !== "imp-file" || !input.files || !input.files.length) {
      return;
    }
    var box = document.getElementById("imp-upload-box");
    if (box) {
      send(input.files[0], box);
    }
    input.value = "";  // choosing the same file again uploads it again
  });

  new MutationObserver(function () {
    label(document);
    addFileInput();
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
