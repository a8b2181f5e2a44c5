// Progressive enhancement of the upload form: without this script the
// form posts and the server answers with the summary page. With it, the
// form is sent by XMLHttpRequest so that the upload's progress can be
// shown, then "Importing…" while the server reads the file, then the
// summary the server returns as JSON. Text goes in with textContent only.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var progress = document.getElementById("progress");
  var status = document.getElementById("status");
  var send = document.getElementById("send");
  var fields = ["read", "parsed", "unrecognized", "duplicate", "skipped", "rejected"];

  function show(id, visible) {
    document.getElementById(id).hidden = !visible;
  }

  function summary(res) {
    var counts = res.counts || {};
    fields.forEach(function (f) {
      document.getElementById(f).textContent = String(counts[f] || 0);
    });
    document.getElementById("summary-error").textContent = res.error || "";
    show("summary-error", !!res.error);
    show("summary-kept", !!res.kept);
    show("summary", true);
  }

  // done is the status line after an import, in the summary's words.
  function done(counts) {
    return "Done: " + (counts.read || 0) + " messages read, " + (counts.parsed || 0) + " read as transactions.";
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        progress.value = Math.round((e.loaded / e.total) * 100);
      }
    });
    xhr.upload.addEventListener("load", function () {
      progress.value = 100;
      status.textContent = "Importing…";
    });
    xhr.addEventListener("load", function () {
      send.disabled = false;
      var res;
      try {
        res = JSON.parse(xhr.responseText);
      } catch (e) {
        res = { error: "The server answered " + xhr.status + "; reload the page and try again." };
      }
      status.textContent = res.error ? "" : done(res.counts || {});
      summary(res);
    });
    xhr.addEventListener("error", function () {
      send.disabled = false;
      status.textContent = "The upload failed: check the connection and try again.";
    });
    send.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "Uploading…";
    show("summary", false);
    xhr.send(new FormData(form));
  });
})();
