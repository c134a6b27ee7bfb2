/* Sada's small behaviours: keyboard shortcuts, the live inbox that keeps the
   agent's place, X's weighted character counter, presence on a case.
   No framework and no build step; htmx does the requests. Nothing here puts
   text into the page as HTML. */
(function () {
  "use strict";

  // --- X's weighted length (twitter-text v3), in step with cases/replies.py -----------
  // Code points in these ranges weigh 1, all others 2; a link weighs 23 whatever its
  // length; an emoji (with its modifiers and joiners) weighs 2. tests/browser checks
  // this against the server's count on the same strings.
  var RANGES = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var URL_WEIGHT = 2300, EMOJI_WEIGHT = 200, SCALE = 100;
  var TLDS = null;

  function loadTlds() {
    if (TLDS) return TLDS;
    var node = document.getElementById("x-tlds");
    var list = [];
    if (node) { try { list = JSON.parse(node.textContent); } catch (e) { list = []; } }
    if (!list.length) list = ["com", "net", "org", "gov", "edu", "info", "io", "co", "me", "sa", "ae"];
    TLDS = new Set(list.map(function (t) { return t.toLowerCase(); }));
    return TLDS;
  }

  function charWeight(cp) {
    for (var i = 0; i < RANGES.length; i++) {
      if (cp >= RANGES[i][0] && cp <= RANGES[i][1]) return 100;
    }
    return 200;
  }

  // Preceding character rule of twitter-text: no letter/digit of ASCII, no @ $ #.
  var URL_RE = /(^|[^A-Za-z0-9@\uFF20$#\uFF03\u202A-\u202E])((?:https?:\/\/)?(?:[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})\.)+[A-Za-z0-9-]{2,63}(?::\d{1,5})?(?:[\/?][^\s]*)?)/g;
  var EMOJI_RE = /\p{RI}\p{RI}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{EMod}?(?:[\u{E0020}-\u{E007E}]+\u{E007F})?(?:\u200D\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{EMod}?)*/gu;
  var TRAILING = /[.,;:!?'"\u2019\u201D)\]}>]+$/;

  function urlSpans(text) {
    var spans = [], tlds = loadTlds(), m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var url = m[2];
      var start = m.index + m[1].length;
      var hasProtocol = /^https?:\/\//i.test(url);
      var trimmed = url.replace(TRAILING, function (tail) {
        // A closing parenthesis stays when the link opened one (Wikipedia-style paths).
        var open = (url.match(/\(/g) || []).length;
        return open && tail.charAt(0) === ")" ? ")" : "";
      });
      var host = trimmed.replace(/^https?:\/\//i, "").split(/[\/?:]/)[0];
      var tld = host.split(".").pop().toLowerCase();
      if (!hasProtocol) {
        var before = text.slice(0, start);
        if (/[-_.\/]$/.test(before) || !tlds.has(tld)) {
          URL_RE.lastIndex = m.index + m[0].length;
          continue;
        }
      }
      spans.push([start, start + trimmed.length, URL_WEIGHT]);
      URL_RE.lastIndex = start + trimmed.length;
    }
    return spans;
  }

  function weightedLength(input) {
    var text = String(input || "").normalize("NFC").replace(/\r\n|\r/g, "\n");
    var spans = urlSpans(text);
    var m;
    EMOJI_RE.lastIndex = 0;
    while ((m = EMOJI_RE.exec(text)) !== null) {
      var s = m.index, e = s + m[0].length;
      var inside = spans.some(function (sp) { return s < sp[1] && e > sp[0]; });
      if (!inside) spans.push([s, e, EMOJI_WEIGHT]);
    }
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var total = 0, i = 0, k = 0;
    while (i < text.length) {
      if (k < spans.length && spans[k][0] === i) {
        total += spans[k][2];
        i = spans[k][1];
        k++;
        continue;
      }
      var cp = text.codePointAt(i);
      total += charWeight(cp);
      i += cp > 0xffff ? 2 : 1;
    }
    return Math.floor(total / SCALE);
  }

  window.Sada = { weightedLength: weightedLength };

  // The text as it will be posted. With "Add a status link" ticked, the server puts
  // the link in place of its placeholder, or after a space
  // (cases/public_services.case_reply_with_status_link); the page gives a link of the
  // same shape, which X weighs as it will weigh the real one.
  function postedText(text, box) {
    if (!box || !box.checked) return text;
    var placeholder = box.dataset.linkPlaceholder, link = box.dataset.linkExample;
    if (text.indexOf(placeholder) >= 0) return text.split(placeholder).join(link);
    return text.replace(/\s+$/, "") + " " + link;
  }

  function bindCounter(textarea) {
    var counter = document.querySelector('[data-counter-for="' + textarea.id + '"]');
    if (!counter) return;
    var max = parseInt(textarea.dataset.max || "280", 10);
    var out = counter.querySelector("[data-count]");
    var box = textarea.form && textarea.form.querySelector("input[data-link-placeholder]");
    function update() {
      var n = weightedLength(postedText(textarea.value, box));
      out.textContent = String(n);
      counter.classList.toggle("near", n > max - 20 && n <= max);
      counter.classList.toggle("over", n > max);
      var submit = textarea.form && textarea.form.querySelector('button[type="submit"]');
      if (submit) submit.disabled = n > max || !textarea.value.trim();
    }
    textarea.addEventListener("input", update);
    if (box) box.addEventListener("change", update);
    update();
  }

  // --- Helpers --------------------------------------------------------------------------

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function csrf() { return document.body.dataset.csrf || ""; }

  function postForm(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.hidden = true;
    var data = Object.assign({ csrfmiddlewaretoken: csrf() }, fields);
    Object.keys(data).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = data[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function isTypingTarget(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // --- Inbox: cursor, selection, live refresh that keeps the agent's place ---------------

  var inbox = {
    cursorRef: null,
    selected: new Set(),

    rows: function () { return $all("#inbox-rows tr.row"); },

    setCursor: function (row, scroll) {
      this.rows().forEach(function (r) { r.classList.remove("cursor"); r.removeAttribute("aria-selected"); });
      if (!row) { this.cursorRef = null; return; }
      row.classList.add("cursor");
      row.setAttribute("aria-selected", "true");
      this.cursorRef = row.dataset.ref;
      if (scroll) row.scrollIntoView({ block: "nearest" });
    },

    cursorRow: function () {
      if (!this.cursorRef) return null;
      return document.getElementById("row-" + this.cursorRef);
    },

    move: function (step) {
      var rows = this.rows();
      if (!rows.length) return;
      var index = rows.indexOf(this.cursorRow());
      var next = index < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, index + step));
      this.setCursor(rows[next], true);
    },

    restore: function () {
      var self = this;
      var row = this.cursorRow();
      if (row) this.setCursor(row, false);
      this.rows().forEach(function (r) {
        var box = r.querySelector('input[name="refs"]');
        var on = self.selected.has(r.dataset.ref);
        if (box) box.checked = on;
        r.classList.toggle("selected", on);
      });
      this.updateBulk();
    },

    toggle: function (ref, on) {
      if (on) this.selected.add(ref); else this.selected.delete(ref);
      var row = document.getElementById("row-" + ref);
      if (row) row.classList.toggle("selected", on);
      this.updateBulk();
    },

    updateBulk: function () {
      var bar = $("[data-bulk]");
      if (!bar) return;
      var n = this.selected.size;
      bar.classList.toggle("active", n > 0);
      var count = $("[data-bulk-count]", bar);
      if (count) count.textContent = n ? String(n) + " \u2713" : "";
      // Selected rows that scrolled out of the list still travel with the form.
      $all('input[data-kept]', bar).forEach(function (el) { el.remove(); });
      var self = this;
      this.selected.forEach(function (ref) {
        if (!document.querySelector('#inbox-rows input[name="refs"][value="' + CSS.escape(ref) + '"]')) {
          var keep = document.createElement("input");
          keep.type = "hidden"; keep.name = "refs"; keep.value = ref; keep.dataset.kept = "1";
          bar.appendChild(keep);
        }
      });
      var all = $("[data-select-all]");
      if (all) {
        var rows = self.rows();
        all.checked = rows.length > 0 && rows.every(function (r) { return self.selected.has(r.dataset.ref); });
      }
      var action = $("[data-bulk-action]", bar);
      if (action) {
        $all("[data-bulk-param]", bar).forEach(function (el) {
          el.classList.toggle("shown", el.dataset.bulkParam === action.value);
        });
      }
    },

    open: function (row, hash) {
      if (row && row.dataset.href) window.location.href = row.dataset.href + (hash || "");
    },

    init: function () {
      var tbody = $("#inbox-rows");
      if (!tbody) return;
      var self = this;
      var first = this.rows()[0];
      if (first) this.setCursor(first, false);

      tbody.addEventListener("click", function (event) {
        var row = event.target.closest("tr.row");
        if (!row) return;
        if (event.target.closest('input, a, button, label')) {
          if (event.target.matches('input[name="refs"]')) self.toggle(row.dataset.ref, event.target.checked);
          return;
        }
        self.open(row);
      });
      var all = $("[data-select-all]");
      if (all) all.addEventListener("change", function () {
        self.rows().forEach(function (r) { self.toggle(r.dataset.ref, all.checked); });
        self.restore();
      });
      var action = $("[data-bulk-action]");
      if (action) action.addEventListener("change", function () { self.updateBulk(); });
      $all("select[data-autosubmit], .sort select").forEach(function (sel) {
        sel.addEventListener("change", function () { sel.form.submit(); });
      });

      // A live refresh asks for as many rows as are shown, and is skipped while the tab is
      // hidden or the agent is choosing a bulk action.
      document.body.addEventListener("htmx:configRequest", function (event) {
        if (event.detail.elt !== tbody) return;
        event.detail.parameters.n = Math.max(self.rows().length, 1);
      });
      document.body.addEventListener("htmx:beforeRequest", function (event) {
        if (event.detail.elt !== tbody) return;
        var active = document.activeElement;
        if (document.hidden || (active && active.closest && active.closest("[data-bulk]"))) {
          event.preventDefault();
        }
      });
      // After settling, not swapping: htmx puts the new rows' own classes back while it
      // settles, which would drop the cursor and selection marks added earlier.
      document.body.addEventListener("htmx:afterSettle", function (event) {
        if (event.detail.target === tbody) self.restore();
      });
    }
  };

  // --- Case page: composer, canned responses, presence -------------------------------------

  var lastTyped = 0;

  function initCase() {
    var page = $(".case-page");
    if (!page) return;
    $all("textarea[data-weighted-counter]").forEach(bindCounter);

    var tabs = $all(".composer-tabs [data-tab]");
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        tabs.forEach(function (t) { t.classList.toggle("active", t === tab); });
        $all(".composer-form").forEach(function (panel) {
          panel.hidden = panel.dataset.panel !== tab.dataset.tab;
        });
        var area = $('.composer-form[data-panel="' + tab.dataset.tab + '"] textarea');
        if (area) area.focus();
      });
    });

    var canned = $("[data-canned]");
    var reply = $("#id_reply_text");
    if (canned && reply) {
      canned.addEventListener("change", function () {
        var option = canned.selectedOptions[0];
        if (!option || !option.dataset.text) return;
        var text = option.dataset.text;
        var start = reply.selectionStart || 0, end = reply.selectionEnd || 0;
        reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
        reply.focus();
        reply.setSelectionRange(start + text.length, start + text.length);
        reply.dispatchEvent(new Event("input", { bubbles: true }));
        canned.value = "";
      });
    }

    var presence = $("[data-presence]");
    var lastSignal = 0;
    $all("[data-typing]").forEach(function (area) {
      area.addEventListener("input", function () {
        lastTyped = Date.now();
        // Tell the others quickly, but at most every 3 seconds.
        if (presence && window.htmx && Date.now() - lastSignal > 3000) {
          lastSignal = Date.now();
          window.htmx.trigger(presence, "sada:typing");
        }
      });
    });
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt !== presence) return;
      event.detail.parameters.typing = Date.now() - lastTyped < 8000 ? "1" : "0";
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt === presence && document.hidden) event.preventDefault();
    });
    window.addEventListener("pagehide", function () {
      if (!presence || !navigator.sendBeacon) return;
      var data = new FormData();
      data.append("leave", "1");
      data.append("csrfmiddlewaretoken", csrf());
      navigator.sendBeacon(presence.getAttribute("hx-post"), data);
    });

    if (window.location.hash === "#composer" && reply) reply.focus();
    if (window.location.hash === "#escalate") openEscalate();
  }

  function openEscalate() {
    var box = $("details#escalate");
    if (!box) return;
    box.open = true;
    var input = $("input, textarea", box);
    if (input) input.focus();
    box.scrollIntoView({ block: "nearest" });
  }

  // --- Live panels elsewhere (dashboard): pause while hidden -------------------------------

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live") && document.hidden) {
      event.preventDefault();
    }
  });

  // --- Keyboard shortcuts --------------------------------------------------------------------

  var pendingG = false;

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (event.key === "Escape" && isTypingTarget(target)) { target.blur(); return; }
    if (isTypingTarget(target)) return;
    var help = $("#help");
    if (help && help.open) return;
    var key = event.key;
    var onInbox = !!$("#inbox-rows");
    var onCase = !!$(".case-page");

    if (pendingG) {
      pendingG = false;
      if (key === "i") { window.location.href = "/"; event.preventDefault(); }
      return;
    }
    switch (key) {
      case "?":
        if (help && help.showModal) { help.showModal(); event.preventDefault(); }
        return;
      case "/": {
        var search = $("[data-shortcut-search]");
        if (search) { search.focus(); search.select(); event.preventDefault(); }
        return;
      }
      case "g":
        pendingG = true;
        setTimeout(function () { pendingG = false; }, 1200);
        return;
      case "n": {
        var form = $("#take-next-form") || $("#take-next-global");
        if (form) { form.submit(); event.preventDefault(); }
        return;
      }
    }
    if (onInbox) {
      var row = inbox.cursorRow();
      switch (key) {
        case "j": case "ArrowDown": inbox.move(1); event.preventDefault(); return;
        case "k": case "ArrowUp": inbox.move(-1); event.preventDefault(); return;
        case "Enter": case "o": if (row) { inbox.open(row); event.preventDefault(); } return;
        case "x":
          if (row) {
            var on = !inbox.selected.has(row.dataset.ref);
            inbox.toggle(row.dataset.ref, on);
            var box = row.querySelector('input[name="refs"]');
            if (box) box.checked = on;
            event.preventDefault();
          }
          return;
        case "a":
          if (row) {
            postForm(row.dataset.href + "assign-me/", {
              version: row.dataset.version || "",
              next: window.location.pathname + window.location.search
            });
            event.preventDefault();
          }
          return;
        case "r": if (row) { inbox.open(row, "#composer"); event.preventDefault(); } return;
        case "e": if (row) { inbox.open(row, "#escalate"); event.preventDefault(); } return;
      }
    }
    if (onCase) {
      switch (key) {
        case "a": {
          var assign = $("#assign-me-form");
          if (assign) { assign.submit(); event.preventDefault(); }
          return;
        }
        case "r": {
          var tab = $('.composer-tabs [data-tab="reply"]');
          if (tab) tab.click();
          var reply = $("#id_reply_text");
          if (reply) { reply.focus(); event.preventDefault(); }
          return;
        }
        case "e": openEscalate(); event.preventDefault(); return;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    inbox.init();
    initCase();
    document.addEventListener("keydown", onKey);
    $all("[data-open-help]").forEach(function (button) {
      button.addEventListener("click", function () {
        var help = $("#help");
        if (help && help.showModal) help.showModal();
      });
    });
  });
})();
