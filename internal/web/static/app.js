// rastro — page behaviour of every page: the frame, the login, the
// checkbox drop-downs, the Rastreio filter panel, the exports, the
// cascading selects and sortable tables of the reports. One bundle, plain
// script, no dependencies, no inline handlers (CSP: 'self'). Every page
// works without it; it only makes them nicer to use, and each part does
// nothing where its elements are absent.
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
  $$('details.ms').forEach(function (ms) {
    setupMulti(ms);
    // One drop-down open at a time.
    ms.addEventListener('toggle', function () {
      if (!ms.open) { return; }
      $$('details.ms[open]').forEach(function (o) { if (o !== ms) { o.open = false; } });
    });
  });

  // Close an open dropdown when clicking elsewhere or pressing Escape
  // (which gives the focus back to its summary).
  document.addEventListener('click', function (e) {
    $$('details.ms[open]').forEach(function (ms) {
      if (!ms.contains(e.target)) { ms.open = false; }
    });
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') { return; }
    $$('details.ms[open]').forEach(function (ms) {
      ms.open = false;
      var s = $('summary', ms);
      if (s) { s.focus(); }
    });
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

  // ---- Rastreio: pinned columns and the summary strip -------------------------------
  var grid = $('#results');
  if (grid) {
    // Each pinned column sticks at the width of those before it (the
    // Ver Histórico column first).
    var pinColumns = function () {
      var heads = $$('thead th', grid);
      var left = 0;
      var lastPin = -1;
      heads.forEach(function (th, i) {
        if (th.classList.contains('act')) { left += th.offsetWidth; return; }
        if (!th.classList.contains('pin')) { return; }
        lastPin = i;
        var at = left + 'px';
        th.style.left = at;
        $$('tbody tr', grid).forEach(function (tr) { if (tr.children[i]) { tr.children[i].style.left = at; } });
        left += th.offsetWidth;
      });
      if (lastPin >= 0) {
        $$('tr', grid).forEach(function (tr) { if (tr.children[lastPin]) { tr.children[lastPin].classList.add('pin-last'); } });
      }
    };
    pinColumns();
    window.addEventListener('resize', pinColumns);

    // The column chooser: the columns a user hides are remembered in this
    // browser per user and media (the key carries the username, so another
    // login on the same browser keeps its own choice). Pinned columns are
    // not offered.
    var chooser = $('#columns');
    var user = chooser && chooser.getAttribute('data-user');
    if (chooser && user) {
      var ckey = 'rastro.columns.' + user + '.' + chooser.getAttribute('data-media');
      var boxes = $$('input[type=checkbox]', chooser);
      var readHidden = function () {
        try {
          var v = JSON.parse(window.localStorage.getItem(ckey) || '[]');
          return Array.isArray(v) ? v : [];
        } catch (e) { return []; }
      };
      var applyColumns = function (hidden) {
        $$('thead th', grid).forEach(function (th, i) {
          var col = th.getAttribute('data-col');
          var off = !!col && !th.classList.contains('pin') && hidden.indexOf(col) >= 0;
          th.hidden = off;
          $$('tbody tr', grid).forEach(function (tr) { if (tr.children[i]) { tr.children[i].hidden = off; } });
        });
        boxes.forEach(function (cb) { cb.checked = hidden.indexOf(cb.value) < 0; });
        pinColumns();
      };
      var saveHidden = function (hidden) {
        try {
          if (hidden.length) { window.localStorage.setItem(ckey, JSON.stringify(hidden)); } else { window.localStorage.removeItem(ckey); }
        } catch (e) { /* storage off: the choice lasts this page only */ }
      };
      chooser.addEventListener('change', function () {
        var hidden = boxes.filter(function (cb) { return !cb.checked; }).map(function (cb) { return cb.value; });
        saveHidden(hidden);
        applyColumns(hidden);
      });
      $('#columns-all', chooser).addEventListener('click', function () { saveHidden([]); applyColumns([]); });
      // A click elsewhere or Escape folds the list, as the filter drop-downs do.
      document.addEventListener('click', function (e) { if (chooser.open && !chooser.contains(e.target)) { chooser.open = false; } });
      document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && chooser.open) { chooser.open = false; } });
      applyColumns(readHidden());
    }
  }

  // The figures of the whole filtered set come from their own request after
  // the page is shown (the page's session: a GET needs no CSRF token).
  var strip = $('#summary[data-src]');
  if (strip && window.fetch) {
    var lang = document.documentElement.lang || 'pt-BR';
    var sumN = window.Intl ? new Intl.NumberFormat(lang) : null;
    var fmtCount = function (n) { return sumN ? sumN.format(n) : String(n); };
    // The API writes percentages the pt-BR way ("12,5%"); English reads a point.
    var fmtText = function (s) { return lang === 'en' ? s.replace(',', '.') : s; };
    var labels = {};
    try { labels = JSON.parse(strip.getAttribute('data-labels') || '{}'); } catch (e) { labels = {}; }
    fetch(strip.getAttribute('data-src'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
      .then(function (sum) {
        var by = sum[strip.getAttribute('data-by')] || {};
        var parts = $('#summary-by', strip);
        parts.textContent = '';
        Object.keys(by).sort(function (a, b) { return by[b] - by[a] || (a < b ? -1 : 1); }).forEach(function (k) {
          var part = document.createElement('span');
          part.className = 'sum-part';
          part.setAttribute('data-key', k);
          part.appendChild(document.createTextNode((labels[k] || k) + ' '));
          var b = document.createElement('b');
          b.textContent = fmtCount(by[k]);
          part.appendChild(b);
          parts.appendChild(part);
        });
        if (!parts.firstChild) { parts.textContent = '—'; }
        $$('[data-k]', strip).forEach(function (el) {
          var v = sum[el.getAttribute('data-k')];
          el.textContent = v ? fmtText(String(v)) : '—';
        });
      })
      .catch(function () {
        strip.classList.add('failed');
        $('#summary-by', strip).textContent = strip.getAttribute('data-error');
        $$('[data-k]', strip).forEach(function (el) { el.textContent = '—'; });
      })
      .then(function () { strip.removeAttribute('aria-busy'); });
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
      } else if (q.length >= 2) {
        // The count message as the pages print theirs (i18n.go plural):
        // the dictionary's singular or plural form, {n} grouped the
        // page's way.
        var n = found.length;
        var form = cq.getAttribute(n === 1 ? 'data-found-one' : 'data-found-many') || '{n}';
        note(form.replace('{n}', window.Intl ? new Intl.NumberFormat(document.documentElement.lang || 'pt-BR').format(n) : String(n)));
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

  // ---- Cascading selects (Cliente → Campanha → Lote) -----------------------
  // A <select data-source=URL data-parent=ID data-param=NAME> is refilled
  // from URL?NAME=<parent value> whenever its parent changes, then fires its
  // own change so its children follow. With the parent on "all", the child
  // keeps the options whose parent is one of the parent's options.
  function setupCascade(child) {
    var parent = document.getElementById(child.dataset.parent);
    if (!parent) return;
    var seq = 0;
    parent.addEventListener('change', function () {
      var my = ++seq;
      // Nothing chosen above the parent either (no client, no campaign):
      // the child lists nothing, rather than every batch of the tenant.
      var grand = parent.dataset.parent && document.getElementById(parent.dataset.parent);
      if (parent.value === '' && grand && grand.value === '') {
        fill(child, []);
        child.dispatchEvent(new Event('change', { bubbles: true }));
        return;
      }
      var url = child.dataset.source + '?' + encodeURIComponent(child.dataset.param) + '=' + encodeURIComponent(parent.value);
      child.disabled = true;
      child.setAttribute('aria-busy', 'true');
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (list) {
          if (my !== seq) return;
          list = list || [];
          if (parent.value === '') {
            var allowed = {};
            var any = false;
            Array.prototype.forEach.call(parent.options, function (o) {
              if (o.value !== '') { allowed[o.value] = true; any = true; }
            });
            if (any && parent.dataset.parent) {
              list = list.filter(function (o) { return allowed[o.parent]; });
            }
          }
          fill(child, list);
        })
        .catch(function () {
          if (my !== seq) return;
          // Keep the page usable: the server validates the cascade anyway.
          child.value = '';
        })
        .finally(function () {
          if (my !== seq) return;
          child.disabled = false;
          child.removeAttribute('aria-busy');
          child.dispatchEvent(new Event('change', { bubbles: true }));
        });
    });
  }

  function fill(sel, list) {
    var keep = sel.value;
    var first = sel.options[0] && sel.options[0].value === '' ? sel.options[0] : null;
    while (sel.options.length) sel.remove(0);
    if (first) sel.add(first);
    var found = false;
    list.forEach(function (o) {
      var opt = document.createElement('option');
      opt.value = o.id;
      opt.textContent = o.label || o.id;
      if (o.parent) opt.dataset.parent = o.parent;
      if (o.id === keep) { opt.selected = true; found = true; }
      sel.add(opt);
    });
    if (!found) sel.value = '';
  }

  // ---- Client-side sorting of aggregate tables (totals stay last) ----------
  function sortKey(text) {
    var t = text.trim();
    if (t === '') return null;
    var m = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(t);
    if (m) return +m[1] * 3600 + +m[2] * 60 + +m[3];
    if (/^-?[\d.]+(,\d+)?%?$/.test(t)) {
      return parseFloat(t.replace(/%$/, '').replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.'));
    }
    return t;
  }

  function compare(a, b) {
    if (a === null && b === null) return 0;
    if (a === null) return 1; // empty cells last
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), 'pt-BR', { numeric: true, sensitivity: 'base' });
  }

  function setupSortable(table) {
    var tbody = table.tBodies[0];
    if (!tbody || !table.tHead) return;
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'rpt-sort';
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      btn.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var rows = Array.prototype.slice.call(tbody.rows);
        var keyed = rows.map(function (r, i) {
          return { r: r, i: i, k: sortKey(r.cells[col] ? r.cells[col].textContent : '') };
        });
        keyed.sort(function (a, b) {
          var c = compare(a.k, b.k);
          if (a.k !== null && b.k !== null && dir === 'descending') c = -c;
          return c || a.i - b.i;
        });
        keyed.forEach(function (x) { tbody.appendChild(x.r); });
      });
    });
  }

  $$('select[data-source][data-parent]').forEach(setupCascade);
  $$('table[data-sortable]').forEach(setupSortable);

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
