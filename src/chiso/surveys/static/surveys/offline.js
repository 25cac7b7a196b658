/* The enumerator app (docs/surveys.md, "Offline collection"): the device keeps the survey's form
   and the answers collected, and sends each set of answers when the network returns.

   - The form comes from form.json and is kept in localStorage, so the page (kept by the service
     worker, offline-sw.js) draws it with the network off.
   - Each saved form gets a random submission key and waits in the device's outbox until the
     server answers "stored" or "duplicate"; the same key sent twice is stored once.
   - The device checks what it can (required answers, numbers, choices, the form's relevant and
     constraint expressions it can read); the server checks everything again. An answer it
     refuses stays on the device, with the server's messages, until it is corrected.
*/
(function () {
  "use strict";

  var CACHE = "chiso-enumerator-v1";

  function registerWorker(root) {
    if (!("serviceWorker" in navigator) || !root.dataset.swUrl) return;
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // Keep this page and what it loads, so that it opens with the network off.
      if (!window.caches) return;
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon], script[src]").forEach(function (el) {
        urls.push(el.getAttribute("href") || el.getAttribute("src"));
      });
      if (root.dataset.homeUrl) urls.push(root.dataset.homeUrl);
      caches.open(CACHE).then(function (cache) {
        urls.forEach(function (url) { cache.add(url).catch(function () {}); });
      });
    }).catch(function () {});
  }

  var home = document.getElementById("offline-home");
  if (home) registerWorker(home);
  var app = document.getElementById("offline-app");
  if (!app) return;
  registerWorker(app);

  var T = JSON.parse(document.getElementById("offline-texts").textContent);
  var code = app.dataset.survey;
  var FORM_KEY = "chiso.offline.form." + code;
  var BOX_KEY = "chiso.offline.outbox." + code;
  var fieldsBox = document.getElementById("offline-fields");
  var formEl = document.getElementById("offline-form");
  var summary = document.getElementById("offline-summary");
  var message = document.getElementById("offline-message");
  var form = null;          // the form as form.json describes it
  var values = {};          // address → text, or a list for select_multiple
  var editing = null;       // the key of a refused form being corrected
  var sending = false;

  function say(template, count) { return template.replace("%(count)s", count); }

  // --- storage ------------------------------------------------------------------------------
  function load(key, fallback) {
    try { var raw = localStorage.getItem(key); return raw ? JSON.parse(raw) : fallback; } catch (e) { return fallback; }
  }
  function store(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function outbox() { return load(BOX_KEY, []); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- expressions: the small part of XPath forms use; anything else is left to the server ----
  function Unknown() {}
  function tokenize(text) {
    var tokens = [], re = /\s*(\$\{[\w.\-]+\}|\d+(?:\.\d+)?|'[^']*'|"[^"]*"|!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*|\.\.|\.|[A-Za-z_][\w:\-]*)/y, m;
    re.lastIndex = 0;
    while (re.lastIndex < text.length) {
      if (/^\s*$/.test(text.slice(re.lastIndex))) break;
      m = re.exec(text);
      if (!m) throw new Unknown();
      tokens.push(m[1]);
    }
    return tokens;
  }
  function parse(text) {
    var tokens = tokenize(text), pos = 0;
    function peek() { return tokens[pos]; }
    function next() { return tokens[pos++]; }
    function binary(sub, ops) {
      return function () {
        var left = sub();
        while (ops.indexOf(peek()) >= 0) { var op = next(); left = { op: op, a: left, b: sub() }; }
        return left;
      };
    }
    function primary() {
      var t = next();
      if (t === undefined) throw new Unknown();
      if (t === "(") { var inner = orExpr(); if (next() !== ")") throw new Unknown(); return inner; }
      if (t === "-") return { op: "neg", a: primary() };
      if (t === ".") return { ref: "." };
      if (t.charAt(0) === "$") return { ref: t.slice(2, -1) };
      if (/^\d/.test(t)) return { num: Number(t) };
      if (t.charAt(0) === "'" || t.charAt(0) === '"') return { str: t.slice(1, -1) };
      if (peek() === "(") {
        next();
        var args = [];
        if (peek() !== ")") { args.push(orExpr()); while (peek() === ",") { next(); args.push(orExpr()); } }
        if (next() !== ")") throw new Unknown();
        return { fn: t, args: args };
      }
      throw new Unknown();
    }
    var mul = binary(primary, ["*", "div", "mod"]);
    var add = binary(mul, ["+", "-"]);
    var cmp = binary(add, ["=", "!=", "<", "<=", ">", ">="]);
    var andExpr = binary(cmp, ["and"]);
    var orExpr = binary(andExpr, ["or"]);
    var tree = orExpr();
    if (pos !== tokens.length) throw new Unknown();
    return tree;
  }
  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    var s = String(v).trim();
    return s === "" ? NaN : Number(s);
  }
  function str(v) {
    if (Array.isArray(v)) return v.join(" ");
    if (typeof v === "boolean") return v ? "true" : "false";
    return v === undefined || v === null ? "" : String(v);
  }
  function truth(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0 && !isNaN(v);
    return str(v) !== "";
  }
  var FUNCTIONS = {
    "selected": function (a, b) { return str(a).split(" ").indexOf(str(b)) >= 0; },
    "count-selected": function (a) { return str(a).split(" ").filter(Boolean).length; },
    "string-length": function (a) { return str(a).length; },
    "not": function (a) { return !truth(a); },
    "true": function () { return true; },
    "false": function () { return false; },
    "number": function (a) { return num(a); },
    "int": function (a) { var n = num(a); return n < 0 ? Math.ceil(n) : Math.floor(n); },
    "string": function (a) { return str(a); },
    "concat": function () { return Array.prototype.map.call(arguments, str).join(""); },
    "substr": function (s, a, b) { s = str(s); return b === undefined ? s.substring(num(a)) : s.substring(num(a), num(b)); },
    "today": function () { var d = new Date(); return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2); },
    "if": function (c, a, b) { return truth(c) ? a : b; },
    "regex": function (s, r) { return new RegExp(str(r)).test(str(s)); }
  };
  function compare(op, a, b) {
    var numeric = typeof a === "number" || typeof b === "number" || ["<", "<=", ">", ">="].indexOf(op) >= 0;
    if (typeof a === "boolean" || typeof b === "boolean") { a = truth(a); b = truth(b); numeric = false; }
    if (numeric && !(/^\d{4}-\d{2}-\d{2}$/.test(str(a)) && /^\d{4}-\d{2}-\d{2}$/.test(str(b)))) {
      a = num(a); b = num(b);
      if (isNaN(a) || isNaN(b)) return op === "!=";
    } else if (typeof a !== "boolean") { a = str(a); b = str(b); }
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      default: return a >= b;
    }
  }
  function evaluate(node, lookup) {
    if ("num" in node) return node.num;
    if ("str" in node) return node.str;
    if ("ref" in node) return lookup(node.ref);
    if (node.fn) {
      var f = FUNCTIONS[node.fn];
      if (!f) throw new Unknown();
      return f.apply(null, node.args.map(function (a) { return evaluate(a, lookup); }));
    }
    if (node.op === "neg") return -num(evaluate(node.a, lookup));
    var a = evaluate(node.a, lookup);
    if (node.op === "and") return truth(a) && truth(evaluate(node.b, lookup));
    if (node.op === "or") return truth(a) || truth(evaluate(node.b, lookup));
    var b = evaluate(node.b, lookup);
    switch (node.op) {
      case "+": return num(a) + num(b);
      case "-": return num(a) - num(b);
      case "*": return num(a) * num(b);
      case "div": return num(a) / num(b);
      case "mod": return num(a) % num(b);
      default: return compare(node.op, a, b);
    }
  }
  var parsed = {};
  // true, false, or null when the device cannot tell (the server will)
  function check(expression, lookup) {
    if (!expression) return null;
    if (/^(yes|true|true\(\))$/i.test(expression.trim())) return true;
    try {
      if (!(expression in parsed)) parsed[expression] = parse(expression);
      return truth(evaluate(parsed[expression], lookup));
    } catch (e) {
      if (e instanceof Unknown || e instanceof TypeError || e instanceof SyntaxError) return null;
      throw e;
    }
  }

  // --- numbers typed the Vietnamese way: 1.000 is a thousand, 1,5 one and a half -------------
  function plainNumber(text, integer) {
    var s = String(text).replace(/[\s\u00a0]/g, "");
    if (s === "") return "";
    if (/^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
    else if (/^[+-]?\d+(,\d+)?$/.test(s)) s = s.replace(",", ".");
    else if (!/^[+-]?\d+$/.test(s)) return null;  // written another way: the server says how to write it
    if (integer && !/^[+-]?\d+$/.test(s)) return NaN;
    return s;
  }

  // --- the form on the page -------------------------------------------------------------------
  var fields = [];  // {address, q, scope, box, error}

  function valueOf(address) {
    var v = values[address];
    return v === undefined ? "" : v;
  }
  function scopedLookup(prefix, q, address, keys) {
    return function (name) {
      if (name === "." && address) {
        var v = valueOf(address);
        if (Array.isArray(v)) return v.join(" ");
        if (q && (q.type === "integer" || q.type === "decimal")) { var p = plainNumber(v, q.type === "integer"); if (p === null || (typeof p === "number" && isNaN(p))) throw new Unknown(); return p; }
        return v;
      }
      if (prefix && keys && keys.indexOf(name) >= 0) name = prefix + name;
      var found = valueOf(name);
      return Array.isArray(found) ? found.join(" ") : found;
    };
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function domId(address) { return "o-" + address.replace(/[\/\[\]@.]/g, "-"); }
  function substitute(text, prefix, unitName) {
    return (text || "").replace(/\$\{([\w.\-]+)\}/g, function (_m, name) {
      var v = valueOf(prefix + name) || valueOf(name);
      return v ? str(v) : (unitName || "…");
    });
  }
  function choiceLabel(select, name) {
    var found = (select.choices || []).filter(function (c) { return c.name === name; })[0];
    return found ? found.label : name;
  }
  function findQuestion(items, key) {
    for (var i = 0; i < items.length; i++) {
      if (items[i].key === key && items[i].choices) return items[i];
      if (items[i].items) { var found = findQuestion(items[i].items, key); if (found) return found; }
    }
    return null;
  }

  function renderQuestion(q, container, prefix, keys, unitName) {
    var address = prefix + q.key;
    var id = domId(address);
    var label = substitute(q.label, prefix, unitName) || q.key;
    var box;
    if (q.type === "note") {
      box = el("div", { "class": "note", id: id }, label);
      container.appendChild(box);
      fields.push({ address: address, q: q, box: box, prefix: prefix, keys: keys, note: true });
      return;
    }
    var isChoice = q.type === "select_one" || q.type === "select_multiple" || (q.type === "range" && q.range);
    var required = q.required && /^(yes|true|true\(\))$/i.test(q.required);
    if (isChoice) {
      box = el("fieldset", { "class": "question" + (q.type === "range" ? " range" : ""), id: id });
      var legend = el("legend", {}, label);
      if (required) legend.appendChild(el("span", { "class": "required", "aria-hidden": "true" }, " *"));
      box.appendChild(legend);
    } else {
      box = el("div", { "class": "question" });
      var lab = el("label", { "for": id }, label);
      if (required) lab.appendChild(el("span", { "class": "required", "aria-hidden": "true" }, " *"));
      box.appendChild(lab);
    }
    if (q.hint) box.appendChild(el("p", { "class": "hint" }, q.hint));
    var error = el("p", { "class": "error", id: id + "-error" });
    error.hidden = true;
    box.appendChild(error);
    var current = valueOf(address);
    if (isChoice) {
      var options = el("div", { "class": "options" });
      var choices = q.choices && q.choices.length ? q.choices : [];
      if (q.type === "range") {
        choices = [];
        for (var v = Number(q.range.start); v <= Number(q.range.end); v += Number(q.range.step) || 1) choices.push({ name: String(v), label: String(v) });
      }
      choices.forEach(function (c) {
        var input = el("input", { type: q.type === "select_multiple" ? "checkbox" : "radio", name: address, value: c.name });
        input.checked = Array.isArray(current) ? current.indexOf(c.name) >= 0 : current === c.name;
        var option = el("label", { "class": "option" });
        option.appendChild(input);
        option.appendChild(el("span", {}, " " + c.label));
        options.appendChild(option);
      });
      box.appendChild(options);
    } else {
      var input;
      if (q.type === "text" && q.multiline) input = el("textarea", { rows: "4" });
      else {
        var type = { date: "date", time: "time", datetime: "datetime-local", acknowledge: "checkbox" }[q.type] || "text";
        input = el("input", { type: type, autocomplete: "off" });
        if (q.type === "integer" || q.type === "range") input.setAttribute("inputmode", "numeric");
        if (q.type === "decimal") input.setAttribute("inputmode", "decimal");
      }
      input.id = id;
      input.name = address;
      if (q.readonly) input.readOnly = true;
      if (q.type === "acknowledge") input.checked = current === "OK";
      else input.value = str(current);
      box.appendChild(input);
    }
    container.appendChild(box);
    fields.push({ address: address, q: q, box: box, error: error, prefix: prefix, keys: keys });
  }

  function renderItems(items, container, prefix, keys, unitName) {
    items.forEach(function (item) {
      if (item.type === "group") {
        var section = el("section", { "class": "offline-group", "data-key": item.key });
        if (item.label) section.appendChild(el("h2", { "class": "group-legend" }, item.label));
        container.appendChild(section);
        fields.push({ group: true, q: item, box: section, prefix: prefix, keys: keys });
        renderItems(item.items, section, prefix, keys, unitName);
      } else if (item.type === "repeat") {
        var holder = el("div", { "class": "offline-repeat", "data-key": item.key });
        container.appendChild(holder);
        fields.push({ repeat: true, q: item, box: holder, prefix: prefix });
      } else if (item.type === "unit_code") {
        // computed by the server from the unit of this entry
      } else {
        renderQuestion(item, container, prefix, keys, unitName);
      }
    });
  }

  function renderRepeat(field) {
    var item = field.q;
    var picked = str(valueOf(item.rating_select)).split(" ").filter(Boolean);
    var signature = picked.join(" ");
    if (field.rendered === signature) return false;
    if (field.rendered !== undefined) {
      // each unit keeps its own answers when units are added or taken away before it
      var before = field.rendered.split(" ").filter(Boolean), moved = {};
      Object.keys(values).forEach(function (address) {
        var m = address.match(/^([^\[\/]+)\[(\d+)\]\/(.+)$/);
        if (!m || m[1] !== item.key) return;
        var now = picked.indexOf(before[Number(m[2]) - 1]);
        if (now >= 0) moved[item.key + "[" + (now + 1) + "]/" + m[3]] = values[address];
        delete values[address];
      });
      Object.keys(moved).forEach(function (address) { values[address] = moved[address]; });
    }
    field.rendered = signature;
    // drop the fields of this repeat's earlier entries; keep their typed values in `values`
    fields = fields.filter(function (f) { return f.owner !== item.key; });
    field.box.textContent = "";
    var select = findQuestion(form.items, item.rating_select);
    var keys = item.items.map(function (i) { return i.key; });
    picked.forEach(function (unit, index) {
      var prefix = item.key + "[" + (index + 1) + "]/";
      var name = select ? choiceLabel(select, unit) : unit;
      var entry = el("section", { "class": "offline-entry" });
      entry.appendChild(el("h2", { "class": "group-legend entry-legend" }, T.unit.replace("%(unit)s", name)));
      field.box.appendChild(entry);
      var before = fields.length;
      renderItems(item.items, entry, prefix, keys, name);
      for (var i = before; i < fields.length; i++) fields[i].owner = item.key;
    });
    return true;
  }

  function relevantNow(f) {
    if (!f.q.relevant) return true;
    return check(f.q.relevant, scopedLookup(f.prefix, null, null, f.keys)) !== false;
  }

  function refresh() {
    var again = true, rounds = 0;
    while (again && rounds++ < 5) {
      again = false;
      fields.slice().forEach(function (f) { if (f.repeat && renderRepeat(f)) again = true; });
    }
    fields.forEach(function (f) {
      var shown = relevantNow(f);
      var parent = f.box.parentElement && f.box.parentElement.closest(".offline-group, .offline-entry");
      if (parent && parent.hidden) shown = false;
      f.box.hidden = !shown;
      f.hiddenNow = !shown;
    });
  }

  function readInput(target) {
    var address = target.name;
    if (!address) return;
    if (target.type === "checkbox" && target.closest(".options")) {
      values[address] = Array.prototype.filter.call(formEl.querySelectorAll("input[name='" + CSS.escape(address) + "']"), function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    } else if (target.type === "checkbox") {
      values[address] = target.checked ? "OK" : "";
    } else if (target.type === "radio") {
      if (target.checked) values[address] = target.value;
    } else {
      values[address] = target.value;
    }
  }

  function draw() {
    fields = [];
    fieldsBox.textContent = "";
    if (form.unsupported && form.unsupported.length) {
      showMessage(T.unsupported.replace("%(lists)s", form.unsupported.join(", ")));
    }
    renderItems(form.items, fieldsBox, "", null, "");
    refresh();
  }

  function errorOf(f) {
    var v = valueOf(f.address);
    var empty = Array.isArray(v) ? v.length === 0 : str(v).trim() === "";
    var lookup = scopedLookup(f.prefix, f.q, f.address, f.keys);
    if (empty) {
      return check(f.q.required, lookup) === true ? (f.q.required_message || T.required) : "";
    }
    if (f.q.type === "integer" || f.q.type === "decimal") {
      var p = plainNumber(v, f.q.type === "integer");
      if (typeof p === "number" && isNaN(p)) return T.integer;
      if (p === null && !/\d/.test(str(v))) return f.q.type === "integer" ? T.integer : T.number;
    }
    if (f.q.constraint && check(f.q.constraint, lookup) === false) return f.q.constraint_message || T.not_allowed;
    return "";
  }

  function showErrors(errors) {
    var first = null, count = 0, loose = [];
    fields.forEach(function (f) {
      if (!f.error) return;
      var text = errors[f.address] || "";
      f.error.textContent = text;
      f.error.hidden = !text;
      f.box.classList.toggle("has-error", !!text);
      if (text) { count++; first = first || f.box; }
    });
    Object.keys(errors).forEach(function (address) {
      var known = fields.some(function (f) { return f.address === address && f.error && !f.hiddenNow; });
      if (!known) loose.push((address ? address + ": " : "") + errors[address]);
    });
    summary.textContent = "";
    if (count || loose.length) {
      summary.appendChild(el("p", {}, T.fix));
      loose.forEach(function (text) { summary.appendChild(el("p", { "class": "error" }, text)); });
      summary.hidden = false;
      summary.focus();
    } else {
      summary.hidden = true;
    }
    return count + loose.length;
  }

  function collect() {
    var answers = {};
    fields.forEach(function (f) {
      if (!f.error || f.hiddenNow) return;
      var v = valueOf(f.address);
      if (Array.isArray(v) ? v.length : str(v) !== "") answers[f.address] = Array.isArray(v) ? v.join(" ") : v;
    });
    return answers;
  }

  function showMessage(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  // --- the outbox -------------------------------------------------------------------------------
  function showCount() {
    var box = outbox();
    document.getElementById("offline-pending").textContent = say(T.pending, box.filter(function (i) { return !i.errors; }).length);
    var online = navigator.onLine;
    var badge = document.getElementById("offline-network");
    badge.textContent = online ? T.online : T.offline;
    badge.className = "badge " + (online ? "state-open" : "state-closed");
    var refused = box.filter(function (i) { return i.errors; });
    var list = document.getElementById("offline-refused-list");
    list.textContent = "";
    refused.forEach(function (item) {
      var li = el("li");
      var texts = Object.keys(item.errors).map(function (a) { return item.errors[a]; });
      li.appendChild(el("span", {}, T.refused + ": " + texts.slice(0, 3).join("; ") + " "));
      var button = el("button", { type: "button", "class": "secondary", "data-key": item.key }, T.correct);
      li.appendChild(button);
      list.appendChild(li);
    });
    document.getElementById("offline-refused").hidden = refused.length === 0;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : app.dataset.csrf;
  }

  function send() {
    if (sending) return Promise.resolve();
    var waiting = outbox().filter(function (i) { return !i.errors; });
    if (!waiting.length) return Promise.resolve();
    sending = true;
    var sent = 0;
    function one(index) {
      if (index >= waiting.length) return Promise.resolve();
      var item = waiting[index];
      return fetch(app.dataset.submitUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ key: item.key, version: item.version, answers: item.answers })
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        return (json ? response.json() : Promise.resolve({})).then(function (body) {
          var box = outbox();
          if (response.ok) {
            store(BOX_KEY, box.filter(function (i) { return i.key !== item.key; }));
            sent++;
            return one(index + 1);
          }
          if (response.status === 400 && body.errors) {
            box.forEach(function (i) { if (i.key === item.key) i.errors = body.errors; });
            store(BOX_KEY, box);
            return one(index + 1);
          }
          // not logged in, not allowed, a stale page: stop and say so; the answers stay here
          showMessage(body.message || (response.status === 403 ? T.login : T.closed));
          return null;
        });
      });
    }
    return one(0).catch(function () { /* the network went away: the rest wait */ }).then(function () {
      sending = false;
      if (sent) showMessage(say(T.sent, sent));
      showCount();
    });
  }

  function clearForm() {
    values = {};
    editing = null;
    draw();
    showErrors({});
  }

  formEl.addEventListener("change", function (event) { readInput(event.target); refresh(); });
  formEl.addEventListener("input", function (event) { if (event.target.type !== "radio" && event.target.type !== "checkbox") { readInput(event.target); refresh(); } });
  formEl.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!form) return;
    formEl.querySelectorAll("input, textarea").forEach(function (i) { if (i.type !== "radio" && i.type !== "checkbox") readInput(i); });
    refresh();
    var errors = {};
    fields.forEach(function (f) {
      if (!f.error || f.hiddenNow) return;
      var text = errorOf(f);
      if (text) errors[f.address] = text;
    });
    if (showErrors(errors)) return;
    var box = outbox();
    var entry = { key: editing || newKey(), version: form.version, answers: collect() };
    box = box.filter(function (i) { return i.key !== entry.key; });
    box.push(entry);
    store(BOX_KEY, box);
    clearForm();
    showMessage(T.saved);
    showCount();
    window.scrollTo(0, 0);
    if (navigator.onLine) send();
  });
  document.getElementById("offline-clear").addEventListener("click", clearForm);
  document.getElementById("offline-send").addEventListener("click", function () { send(); });
  document.getElementById("offline-refused-list").addEventListener("click", function (event) {
    var key = event.target.dataset && event.target.dataset.key;
    if (!key) return;
    var item = outbox().filter(function (i) { return i.key === key; })[0];
    if (!item) return;
    values = {};
    Object.keys(item.answers).forEach(function (address) {
      var q = null;
      values[address] = item.answers[address];
      fields.forEach(function (f) { if (f.address === address) q = f.q; });
      if (q && q.type === "select_multiple") values[address] = str(item.answers[address]).split(" ").filter(Boolean);
    });
    editing = key;
    draw();
    // a select_multiple inside a repeat is only known after the repeat is drawn
    fields.forEach(function (f) {
      if (f.q && f.q.type === "select_multiple" && !Array.isArray(values[f.address]) && values[f.address]) values[f.address] = str(values[f.address]).split(" ");
    });
    draw();
    showErrors(item.errors);
  });
  window.addEventListener("online", function () { showCount(); send(); });
  window.addEventListener("offline", showCount);
  setInterval(function () { if (navigator.onLine) send(); }, 30000);

  function start(data) {
    form = data;
    draw();
    showCount();
    if (navigator.onLine) send();
  }
  fetch(app.dataset.formUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }).then(function (data) {
    store(FORM_KEY, data);
    start(data);
  }).catch(function () {
    var kept = load(FORM_KEY, null);
    if (kept) start(kept);
    else { fieldsBox.textContent = ""; showMessage(T.no_form); showCount(); }
  });
})();
