// Live progress on the group and campaign pages (served as /assets/live.js, deferred).
// The pages work without it; with it, the element carrying data-live-src opens that event
// stream and every element marked data-live="..." is kept current. Every word shown comes
// from the server (the events' texts, the countdown's data-left-* templates).
(function () {
  "use strict";

  var source = document.querySelector("[data-live-src]");
  var left = document.querySelector("[data-live=left]");
  var open = !left || left.getAttribute("data-running") === "true";

  function el(name) {
    return document.querySelector("[data-live=" + name + "]");
  }

  function setText(name, text) {
    var node = el(name);
    if (node && typeof text === "string") {
      node.textContent = text;
    }
  }

  // The same rules as the server's time_left: days from 2 days, hours from 1 h, minutes.
  function countdown() {
    if (!left) {
      return;
    }
    var until = Date.parse(left.getAttribute("data-until"));
    var seconds = Math.floor((until - Date.now()) / 1000);
    var words;
    var n;
    if (!open || !(seconds > 0)) {
      words = left.getAttribute("data-left-none");
      n = 0;
    } else if (seconds >= 2 * 86400) {
      words = left.getAttribute("data-left-days");
      n = Math.floor(seconds / 86400);
    } else if (seconds >= 3600) {
      words = left.getAttribute("data-left-hours");
      n = Math.floor(seconds / 3600);
    } else {
      words = left.getAttribute("data-left-minutes");
      n = Math.floor((seconds + 59) / 60);
    }
    if (words) {
      left.textContent = words.replace("{n}", String(n));
    }
  }

  function participants(list, emptyText) {
    var old = el("participants");
    if (!old) {
      return;
    }
    var fresh;
    if (list.length === 0) {
      fresh = document.createElement("p");
      fresh.textContent = emptyText;
    } else {
      fresh = document.createElement("ul");
      fresh.className = "participants";
      list.forEach(function (p) {
        var li = document.createElement("li");
        if (p.picture) {
          var img = document.createElement("img");
          img.className = "avatar";
          img.src = p.picture;
          img.alt = p.pictureAlt;
          li.appendChild(img);
        }
        var name = document.createElement("span");
        name.textContent = p.name;
        li.appendChild(name);
        fresh.appendChild(li);
      });
    }
    fresh.setAttribute("data-live", "participants");
    old.replaceWith(fresh);
  }

  function group(d) {
    setText("status", d.statusText);
    var status = el("status");
    if (status) {
      status.classList.toggle("status-failed", d.failed === true);
    }
    setText("seats", d.seatsText);
    var bar = el("progress");
    if (bar) {
      bar.max = d.totalSeats;
      bar.value = d.seatsOccupied;
      bar.textContent = d.progressText;
    }
    participants(d.participants || [], d.noParticipantsText);
  }

  function campaign(d) {
    setText("status", d.statusText);
    setText("counts", d.countsText);
    (d.thresholds || []).forEach(function (t) {
      setText("label-" + t.kind, t.text);
      setText("met-" + t.kind, t.metText);
      var bar = el("bar-" + t.kind);
      if (bar) {
        bar.max = t.target;
        bar.value = Math.min(t.current, t.target);
        bar.textContent = t.text;
      }
    });
  }

  if (source && window.EventSource) {
    var stream = new EventSource(source.getAttribute("data-live-src"));
    stream.addEventListener("progress", function (e) {
      var d;
      try {
        d = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      open = d.open === true;
      if (d.kind === "group") {
        group(d);
      } else if (d.kind === "campaign") {
        campaign(d);
      }
      countdown();
    });
  }
  countdown();
  window.setInterval(countdown, 30000);
})();
