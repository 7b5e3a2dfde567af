// Progressive enhancement for the pages (they work without it): a character counter on the
// search field, and "Kopiér kilde" buttons that put a passage's citation on the clipboard.
// Loaded as a file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function formatNumber(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  var field = document.getElementById("q");
  var counter = document.getElementById("q-taeller");
  if (field && counter) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var pasteLimit = parseInt(field.getAttribute("data-paste-limit"), 10);
    var update = function () {
      var n = field.value.length;
      counter.hidden = n === 0;
      if (n > pasteLimit) {
        // No maxlength on the field: a browser cuts a longer paste silently, and the question at
        // its end was lost. The server refuses it with the same words.
        counter.textContent = " Du har skrevet " + formatNumber(n) + " tegn, men der kan højst indsættes " +
          formatNumber(pasteLimit) + " tegn. Forkort teksten.";
      } else if (n > limit) {
        counter.textContent = " Du har skrevet " + formatNumber(n) +
          " tegn: der søges på de sætninger, der ligner spørgsmål, og så meget af resten, som der er plads til.";
      } else {
        counter.textContent = " " + formatNumber(n) + " af " + limit + " tegn.";
      }
    };
    field.addEventListener("input", update);
    update();
  }

  var status = document.getElementById("kopi-status");
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () {
        if (status) {
          status.textContent = "Kilden er kopieret: " + text;
        }
        button.classList.add("copied");
      };
      var selectIt = function () {
        // No clipboard access (an old browser, or a page framed without permission): select the
        // citation so Ctrl+C copies it, and try the older copy command.
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var copied = false;
        try {
          copied = document.execCommand("copy");
        } catch (e) {
          copied = false;
        }
        if (copied) {
          done();
        } else if (status) {
          status.textContent = "Kilden er markeret. Tryk Ctrl+C for at kopiere den.";
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, selectIt);
      } else {
        selectIt();
      }
    });
  });
})();
