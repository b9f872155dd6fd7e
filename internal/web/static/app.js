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

  // ---- exports: progress, Cancelar, save ------------------------------------------------
  // Every Exportar link (a[data-export]) still downloads as a plain link.
  // With this script a click fetches the file instead, reads it as it
  // streams and shows how far it got in #export-progress: rows of the
  // X-Rastro-Rows total for CSV (a newline outside quotes ends a row; the
  // header line is not counted), bytes received for XLSX (zipped: no
  // rows to see). At the end the bytes are saved under the server's file name.
  var xp = $('#export-progress');
  var xlinks = $$('a[data-export]');
  if (xp && xlinks.length && window.fetch && window.AbortController && window.ReadableStream && window.Blob && window.URL && URL.createObjectURL) {
    var xbar = $('.export-bar', xp);
    var xtext = $('.export-text', xp);
    var xcancel = $('.export-cancel', xp);
    var xnum = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || 'pt-BR') : null;
    var xmb = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || 'pt-BR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : null;
    var xrun = null; // the AbortController of the export running, if any
    var xhide = 0;
    var fmtN = function (n) { return xnum ? xnum.format(n) : String(n); };
    // fmtSize: "840 KB" below a megabyte, "12,3 MB" from there.
    var fmtSize = function (bytes) {
      if (bytes < 1048576) { return fmtN(Math.max(1, Math.round(bytes / 1024))) + ' KB'; }
      var v = bytes / 1048576;
      return (xmb ? xmb.format(v) : v.toFixed(1)) + ' MB';
    };
    var msg = function (key, vals) {
      return (xp.getAttribute('data-' + key) || '').replace(/\{(\w+)\}/g, function (m, k) {
        return Object.prototype.hasOwnProperty.call(vals || {}, k) ? String(vals[k]) : m;
      });
    };
    var setLinks = function (busy) {
      xlinks.forEach(function (a) {
        if (busy) { a.setAttribute('aria-disabled', 'true'); } else { a.removeAttribute('aria-disabled'); }
      });
    };
    // show sets the state (running, done, cancelled, failed), the bar
    // (no value: indeterminate, as for XLSX or an unknown total) and, when
    // given, the text.
    var show = function (state, text, value) {
      clearTimeout(xhide);
      xp.hidden = false;
      ['running', 'done', 'cancelled', 'failed'].forEach(function (c) { xp.classList.toggle(c, c === state); });
      if (value === undefined || value === null) { xbar.removeAttribute('value'); } else { xbar.value = value; }
      if (text !== null) { xtext.textContent = text; }
    };
    var hideLater = function (ms) { xhide = setTimeout(function () { xp.hidden = true; }, ms); };
    var fileName = function (res, href) {
      var cd = res.headers.get('Content-Disposition') || '';
      var m = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
      if (m) { try { return decodeURIComponent(m[1].trim()); } catch (e) { /* fall through */ } }
      m = /filename\s*=\s*"([^"]*)"/i.exec(cd) || /filename\s*=\s*([^;]+)/i.exec(cd);
      if (m && m[1].trim()) { return m[1].trim(); }
      var path = new URL(href, location.href).pathname.split('/');
      return path[path.length - 1] || 'export';
    };
    // errorOf reads the API's JSON error: {"error": "…"} or
    // {"errors": [{"param", "reason"}]}.
    var errorOf = function (res) {
      return res.text().then(function (body) {
        try {
          var j = JSON.parse(body);
          if (j && j.error) { return String(j.error); }
          if (j && j.errors && j.errors.length) {
            return j.errors.map(function (e) { return (e.param ? e.param + ': ' : '') + (e.reason || ''); }).join('; ');
          }
        } catch (e) { /* not JSON */ }
        return 'HTTP ' + res.status + (body && body.length < 200 ? ': ' + body.trim() : '');
      }, function () { return 'HTTP ' + res.status; });
    };
    var save = function (chunks, type, name) {
      var url = URL.createObjectURL(new Blob(chunks, { type: type }));
      var a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The download has its own copy by then; give slow disks a minute.
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    };
    var run = function (link) {
      var ctl = new AbortController();
      xrun = ctl;
      setLinks(true);
      show('running', msg('preparing'));
      var href = link.getAttribute('href');
      var total = -1, csv = false, rows = 0, lines = 0, quoted = false, bytes = 0, last = 0;
      // progress moves the bar on every chunk; the text (a live region)
      // changes at most twice a second, so screen readers can keep up.
      var progress = function (force) {
        var pct = csv && total >= 0 ? (total > 0 ? Math.min(100, Math.floor(rows * 100 / total)) : 100) : null;
        var now = Date.now();
        var text = null;
        if (force || now - last >= 500) {
          last = now;
          if (!csv) {
            text = msg('bytes', { size: fmtSize(bytes) });
          } else if (total >= 0) {
            text = msg('rows-of', { n: fmtN(Math.min(rows, total)), total: fmtN(total), pct: pct });
          } else {
            text = msg('rows', { n: fmtN(rows) });
          }
        }
        show('running', text, pct);
      };
      var finish = function () {
        xrun = null;
        setLinks(false);
      };
      fetch(href, { credentials: 'same-origin', signal: ctl.signal, cache: 'no-store' })
        .then(function (res) {
          if (!res.ok) {
            return errorOf(res).then(function (e) { throw { shown: msg('failed', { error: e }) }; });
          }
          var type = (res.headers.get('Content-Type') || '').split(';')[0].trim();
          csv = type === 'text/csv';
          var h = res.headers.get('X-Rastro-Rows');
          if (h !== null && /^\d+$/.test(h)) { total = parseInt(h, 10); }
          var name = fileName(res, href);
          var chunks = [];
          var reader = res.body.getReader();
          var pump = function () {
            return reader.read().then(function (r) {
              if (r.done) { return; }
              var b = r.value;
              chunks.push(b);
              bytes += b.length;
              if (csv) {
                // A quote toggles "inside a field" (an escaped "" toggles
                // twice); only newlines outside fields end rows.
                for (var i = 0; i < b.length; i++) {
                  var c = b[i];
                  if (c === 34) { quoted = !quoted; } else if (c === 10 && !quoted) { lines++; }
                }
                rows = Math.max(0, lines - 1);
              }
              progress(chunks.length === 1);
              return pump();
            });
          };
          return pump().then(function () {
            save(chunks, res.headers.get('Content-Type') || 'application/octet-stream', name);
            var text;
            if (csv || total >= 0) {
              var n = csv ? rows : total;
              text = n === 1 ? msg('done-one') : msg('done', { n: fmtN(n) });
            } else {
              text = msg('done-bytes', { size: fmtSize(bytes) });
            }
            show('done', text, 100);
            finish();
            hideLater(8000);
          });
        })
        .catch(function (err) {
          finish();
          if (ctl.signal.aborted) {
            show('cancelled', msg('cancelled'), 0);
            hideLater(4000);
            return;
          }
          show('failed', err && err.shown ? err.shown : msg('failed', { error: msg('network') }), 0);
        });
    };
    xlinks.forEach(function (a) {
      a.addEventListener('click', function (e) {
        // New tab, save-as… and other modified clicks stay the browser's.
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
        e.preventDefault();
        if (xrun) { return; } // one export at a time
        run(a);
      });
    });
    if (xcancel) {
      xcancel.addEventListener('click', function () { if (xrun) { xrun.abort(); } });
    }
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
