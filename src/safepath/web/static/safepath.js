/* Safepath: progressive enhancement only; every form works without this file.
   Evaluates simple XLSForm relevance (${a} = 'x', ${a} != 'x', ${a} < n, >, <=, >=,
   selected(${a}, 'x'), and/or) to hide questions that do not apply. Anything else stays visible
   and the server decides. */
(function () {
  "use strict";
  function values(scope, name) {
    var out = [], found = false;
    scope.querySelectorAll('[name$="' + name + '"]').forEach(function (el) {
      var n = el.getAttribute("name");
      if (n !== name && n.slice(-(name.length + 1)) !== "." + name) return;
      found = true;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.disabled) return;
      if (el.value !== "") out.push(el.value);
    });
    if (!found && scope.tagName !== "FORM") return values(scope.closest("form"), name);
    return out;
  }
  function atom(scope, s) {
    var m = s.match(/^selected\(\$\{([\w.-]+)\},\s*'([^']*)'\)$/);
    if (m) return values(scope, m[1]).indexOf(m[2]) >= 0;
    m = s.match(/^\$\{([\w.-]+)\}\s*(=|!=|<=|>=|<|>)\s*('([^']*)'|-?\d+(\.\d+)?)$/);
    if (!m) return null;
    var v = values(scope, m[1]).join(" "), lit = m[4] !== undefined ? m[4] : Number(m[3]);
    if (typeof lit === "number") {
      if (v === "") return false;
      v = Number(v);
    }
    switch (m[2]) {
      case "=": return v === lit;
      case "!=": return v !== lit;
      case "<": return v < lit;
      case ">": return v > lit;
      case "<=": return v <= lit;
      default: return v >= lit;
    }
  }
  function evaluate(scope, expr) {
    var ors = expr.split(/\s+or\s+/), any = false;
    for (var i = 0; i < ors.length; i++) {
      var ands = ors[i].split(/\s+and\s+/), all = true;
      for (var j = 0; j < ands.length; j++) {
        var r = atom(scope, ands[j].trim());
        if (r === null) return true;
        all = all && r;
      }
      any = any || all;
    }
    return any;
  }
  function pass(form) {
    form.querySelectorAll("[data-relevant]").forEach(function (el) {
      el.hidden = !evaluate(el.closest(".member") || form, el.getAttribute("data-relevant"));
    });
    /* hidden questions are neither checked by the browser nor sent */
    form.querySelectorAll(".q input, .q select, .q textarea").forEach(function (i) {
      i.disabled = i.closest("[hidden]") !== null;
    });
  }
  function refresh(form) {
    form.querySelectorAll(".q input").forEach(function (i) { i.disabled = false; });
    pass(form);
    pass(form); /* a second pass settles questions that depend on hidden ones */
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.xlsform").forEach(function (form) {
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
  });
})();
