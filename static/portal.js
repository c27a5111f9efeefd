// Progressive enhancement only: every page works without this file.
// - live word counts for long answers
// - questions that depend on another answer hide while it does not apply
// - an upload progress bar for forms with files
// - a warning before an idle session ends, with a button to stay logged in
(function () {
  "use strict";

  function countWords(text) {
    var trimmed = text.trim();
    return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
  }

  document.querySelectorAll("textarea[data-max-words]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max-words"), 10);
    var out = document.getElementById(area.id + "-count");
    if (!out || !max) return;
    var update = function () {
      var n = countWords(area.value);
      out.textContent = n + " of " + max + " words" + (n > max ? " (" + (n - max) + " too many)" : "");
      out.classList.toggle("over", n > max);
    };
    area.addEventListener("input", update);
    update();
  });

  function answerValues(form, key) {
    var values = [];
    form.querySelectorAll('[name="a[' + key + ']"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.type === "hidden") return;
      values.push(el.value);
    });
    return values;
  }

  document.querySelectorAll("form").forEach(function (form) {
    var dependents = form.querySelectorAll("[data-show-if]");
    if (!dependents.length) return;
    var refresh = function () {
      dependents.forEach(function (box) {
        var wanted = box.getAttribute("data-show-values").split(" ");
        var have = answerValues(form, box.getAttribute("data-show-if"));
        var show = have.some(function (v) { return wanted.indexOf(v) !== -1; });
        box.hidden = !show;
        var hint = box.querySelector(".condition");
        if (hint) hint.hidden = true;
      });
    };
    form.addEventListener("change", refresh);
    refresh();
  });

  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (i) {
        return i.files && i.files.length > 0;
      });
      if (!files || !window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      var box = form.querySelector(".upload-progress");
      var bar = box && box.querySelector("progress");
      if (box) box.hidden = false;
      var xhr = new XMLHttpRequest();
      var target = form.getAttribute("action");
      xhr.open("POST", target);
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== new URL(target, window.location.href).href) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(data);
    });
  });
  // The session ends after data-session-idle-minutes without a request.
  // A few minutes before, a live region says so and offers to stay logged
  // in (GET /account/session notes activity and answers 204). Without
  // this script nothing is lost either: a save after the end is kept
  // while the applicant logs in again.
  (function () {
    var minutes = parseInt(document.body.getAttribute("data-session-idle-minutes"), 10);
    var main = document.getElementById("main");
    if (!minutes || !main || !window.fetch) return;
    var lead = Math.min(10, Math.floor(minutes / 4));
    var region = document.createElement("div");
    region.className = "session-warning";
    region.setAttribute("aria-live", "assertive");
    region.setAttribute("aria-atomic", "true");
    main.insertBefore(region, main.firstChild);
    var timers = [];

    function say(text, withButton) {
      region.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      region.appendChild(p);
      if (withButton) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button";
        b.textContent = "Stay logged in";
        b.addEventListener("click", stay);
        region.appendChild(b);
      }
    }

    function schedule() {
      timers.forEach(clearTimeout);
      timers = [
        setTimeout(function () {
          say("You will be logged out in " + lead + " minutes because nothing has happened on this page. " +
            "Anything you have not saved will wait for you to log in again.", true);
        }, (minutes - lead) * 60000),
        setTimeout(function () {
          say("Your session has ended. Save to keep your answers: you will be asked to log in, and they will then be saved.", false);
        }, minutes * 60000)
      ];
    }

    function stay() {
      fetch("/account/session", { credentials: "same-origin", redirect: "manual" })
        .then(function (r) {
          if (r.status === 204) {
            say("You are still logged in.", false);
            schedule();
          } else {
            say("Your session has already ended. Save to keep your answers: you will be asked to log in, and they will then be saved.", false);
          }
        })
        .catch(function () {
          say("The portal could not be reached. Check your connection, then save your answers.", true);
        });
    }

    window.portalSessionWarning = { say: say, stay: stay, warnNow: function () {
      say("You will be logged out in " + lead + " minutes because nothing has happened on this page. " +
        "Anything you have not saved will wait for you to log in again.", true);
    } };
    schedule();
  })();
})();

// lists: "select all on this page" ticks (or clears) every row's box; a
// row's box cleared by hand clears it again. Without this file the box is
// sent with the form and the server selects the page's rows.
(function () {
  "use strict";
  document.querySelectorAll("form[data-bulk]").forEach(function (form) {
    var all = form.querySelector("[data-select-all]");
    if (!all) return;
    var rows = form.querySelectorAll('input[type="checkbox"][name="ids"]');
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
    });
    rows.forEach(function (box) {
      box.addEventListener("change", function () {
        if (!box.checked) all.checked = false;
      });
    });
  });
})();
