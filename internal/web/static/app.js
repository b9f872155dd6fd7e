// rastro — page behaviour of the frame, the login and the Rastreio filter
// panel. Plain script, no dependencies, no inline handlers (CSP: 'self').
// Every page works without it; it only makes them nicer to use.
(function () {
  'use strict';

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Accent- and case-insensitive text, for filtering lists.
  function fold(s) {
    s = String(s || '').toLowerCase();
    return s.normalize ? s.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : s;
  }

  // The language switch comes back to the page it was clicked on.
  $$('a[href^="/lang?"]').forEach(function (a) {
    var u = new URL(a.getAttribute('href'), location.href);
    var here = new URL(location.href);
    here.searchParams.delete('lang');
    u.searchParams.set('next', here.pathname + here.search);
    a.setAttribute('href', u.pathname + u.search);
  });

  // ---- checkbox dropdowns: live summary, list filter ------------------------
  function setupMulti(ms) {
    var sum = $('.ms-summary', ms);
    function update() {
      var on = $$('input[type=checkbox]:checked', ms);
      ms.classList.toggle('has-sel', on.length > 0);
      if (!sum) { return; }
      if (on.length === 0) {
        sum.textContent = sum.getAttribute('data-none');
      } else if (on.length <= 2) {
        sum.textContent = on.map(function (i) { return i.parentNode.textContent.trim(); }).join(', ');
      } else {
        sum.textContent = on.length + ' ' + sum.getAttribute('data-some');
      }
      sum.title = on.map(function (i) { return i.parentNode.textContent.trim(); }).join(', ');
    }
    ms.addEventListener('change', update);
    var filter = $('.ms-filter', ms);
    if (filter) {
      filter.addEventListener('input', function () {
        var q = fold(filter.value.trim());
        $$('label.check', ms).forEach(function (l) {
          l.hidden = q !== '' && fold(l.textContent).indexOf(q) < 0;
        });
      });
      // Enter in the list filter must not submit the search.
      filter.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); } });
    }
    update();
  }
  $$('details.ms').forEach(setupMulti);

  // Close an open dropdown when clicking elsewhere or pressing Escape.
  document.addEventListener('click', function (e) {
    $$('details.ms[open]').forEach(function (ms) {
      if (!ms.contains(e.target)) { ms.open = false; }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { $$('details.ms[open]').forEach(function (ms) { ms.open = false; }); }
  });

  // ---- Rastreio: filters shown per media ---------------------------------------
  var form = $('#rastreio-form');
  var media = $('#media');
  if (form && media) {
    var applyMedia = function () {
      var opt = media.options[media.selectedIndex];
      var allowed = ((opt && opt.getAttribute('data-filters')) || '').split(/\s+/).filter(Boolean);
      // A hidden filter is also disabled so it is not submitted: the report
      // rejects filters that do not apply to the media.
      $$('fieldset[data-filter]', form).forEach(function (fs) {
        var on = allowed.indexOf(fs.getAttribute('data-filter')) >= 0;
        fs.hidden = !on;
        fs.disabled = !on;
      });
    };
    media.addEventListener('change', applyMedia);
    applyMedia();
    // Back/forward cache restores the form as it was: show the right filters.
    window.addEventListener('pageshow', applyMedia);

    // Empty fields are left out of the URL, so links and exports stay short.
    form.addEventListener('formdata', function (e) {
      var fd = e.formData;
      var names = [];
      fd.forEach(function (v, k) { if (names.indexOf(k) < 0) { names.push(k); } });
      names.forEach(function (k) {
        var vals = fd.getAll(k);
        if (vals.every(function (v) { return typeof v === 'string' && v.trim() === ''; })) { fd.delete(k); }
      });
    });
  }

  // ---- Buscar contato → Contatos ----------------------------------------------------
  var cq = $('#contact-q');
  var clist = $('#contacts');
  if (cq && clist) {
    var timer = 0;
    var seq = 0;
    var item = function (id, label, checked) {
      var l = document.createElement('label');
      l.className = 'check';
      var i = document.createElement('input');
      i.type = 'checkbox';
      i.name = 'contacts';
      i.value = id;
      i.checked = checked;
      var span = document.createElement('span');
      span.textContent = label;
      var small = document.createElement('small');
      small.textContent = id;
      l.appendChild(i);
      l.appendChild(span);
      l.appendChild(small);
      return l;
    };
    var note = function (text) {
      var p = document.createElement('p');
      p.className = 'hint';
      p.textContent = text;
      clist.appendChild(p);
    };
    var chosen = function () {
      return $$('input[name=contacts]:checked', clist).map(function (i) {
        var span = $('span', i.parentNode);
        return { id: i.value, label: (span ? span.textContent : i.parentNode.textContent).trim() };
      });
    };
    // show lists the kept (checked) contacts, then the ones found, then a
    // note: the error, "none found" or the hint to type more.
    var show = function (keep, found, q, error) {
      clist.textContent = '';
      var seen = {};
      keep.forEach(function (c) { seen[c.id] = true; clist.appendChild(item(c.id, c.label, true)); });
      found.forEach(function (c) { if (!seen[c.id]) { clist.appendChild(item(c.id, c.label, false)); } });
      if (error) {
        note(cq.getAttribute('data-error'));
      } else if (q.length >= 2 && found.length === 0) {
        note(cq.getAttribute('data-empty'));
      } else if (q.length < 2 && keep.length === 0) {
        note(cq.getAttribute('data-hint'));
      }
    };
    var search = function () {
      var q = cq.value.trim();
      var keep = chosen();
      if (q.length < 2) { seq++; show(keep, [], q); return; }
      var mine = ++seq;
      clist.setAttribute('aria-busy', 'true');
      fetch('/api/v1/contacts?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
        .then(function (list) { if (mine === seq) { show(keep, list || [], q); } })
        .catch(function () { if (mine === seq) { show(keep, [], q, true); } })
        .then(function () { if (mine === seq) { clist.removeAttribute('aria-busy'); } });
    };
    cq.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    cq.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); search(); }
    });
  }

  // ---- login throttle: count the wait down -------------------------------------------
  var le = $('#login-error[data-wait]');
  if (le) {
    var left = parseInt(le.getAttribute('data-wait'), 10) || 0;
    var out = $('#wait-s');
    var btn = $('#login-submit');
    if (btn && left > 0) {
      btn.disabled = true;
      var tick = setInterval(function () {
        left--;
        if (out) { out.textContent = String(Math.max(left, 0)); }
        if (left <= 0) { clearInterval(tick); btn.disabled = false; }
      }, 1000);
    }
  }
})();
