// The status page: reads /api/status every 2 s and renders it. Every value from the server is inserted as
// text (textContent), never as HTML: names and client ids come from the network.
(function () {
  'use strict';

  function bytes(n) {
    if (n < 0) return '?';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function duration(seconds) {
    seconds = Math.floor(seconds);
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    var m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + s + 's';
  }

  function cell(row, text) {
    var td = document.createElement('td');
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    row.appendChild(td);
  }

  function fill(id, items, columns, emptyText) {
    var body = document.getElementById(id);
    body.textContent = '';
    if (items.length === 0) {
      var row = body.insertRow();
      var td = document.createElement('td');
      td.colSpan = columns;
      td.className = 'empty';
      td.textContent = emptyText;
      row.appendChild(td);
      return body;
    }
    return body;
  }

  function progress(upload) {
    var box = document.createElement('div');
    var pct = upload.size > 0 ? Math.min(100, 100 * upload.received / upload.size) : 100;
    box.appendChild(document.createTextNode(bytes(upload.received) + ' / ' + bytes(upload.size)
      + ' (' + pct.toFixed(0) + '%)' + (upload.resumedFrom > 0 ? ', resumed at ' + bytes(upload.resumedFrom) : '')));
    var bar = document.createElement('div');
    bar.className = 'bar';
    var fillBar = document.createElement('div');
    fillBar.style.width = pct.toFixed(1) + '%';
    bar.appendChild(fillBar);
    box.appendChild(bar);
    return box;
  }

  function chart(points) {
    var canvas = document.getElementById('chart');
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || 600, height = canvas.clientHeight || 140;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    var g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    var max = 1;
    points.forEach(function (p) { if (p[1] > max) max = p[1]; });
    var n = 300;
    var step = width / (n - 1);
    g.strokeStyle = '#2f7dd1';
    g.fillStyle = 'rgba(47,125,209,0.18)';
    g.lineWidth = 1.5;
    g.beginPath();
    var offset = n - points.length;
    points.forEach(function (p, i) {
      var x = (offset + i) * step, y = height - 16 - (height - 28) * p[1] / max;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
    if (points.length > 1) {
      g.lineTo((offset + points.length - 1) * step, height - 16);
      g.lineTo(offset * step, height - 16);
      g.closePath();
      g.fill();
    }
    g.fillStyle = '#44505c';
    g.font = '11px system-ui, sans-serif';
    g.fillText('max ' + bytes(max) + '/s', 6, 12);
    g.fillText('5 min ago', 6, height - 3);
    g.fillText('now', width - 26, height - 3);
  }

  function render(s) {
    document.getElementById('server-id').textContent = s.serverId;
    document.title = 'kirim ' + s.serverId;
    document.getElementById('summary').className = '';
    document.getElementById('summary').textContent = 'listening on ' + s.address + ' · up ' + duration(s.uptimeSeconds)
      + ' · ' + bytes(s.freeBytes) + ' free in ' + s.storageDir
      + (s.freeBytes >= 0 && s.freeBytes <= s.minFreeBytes ? ' (below minFreeBytes: offers refused)' : '');
    var last = s.throughput.length ? s.throughput[s.throughput.length - 1][1] : 0;
    document.getElementById('rate').textContent = 'now ' + bytes(last) + '/s';
    chart(s.throughput);

    document.getElementById('upload-count').textContent = '(' + s.uploads.length + ')';
    var uploads = fill('uploads', s.uploads, 4, 'none');
    s.uploads.forEach(function (u) {
      var row = uploads.insertRow();
      cell(row, u.name);
      cell(row, u.client + ' ' + u.peer);
      cell(row, progress(u));
      cell(row, u.seconds > 0 ? bytes((u.received - u.resumedFrom) / u.seconds) + '/s' : '');
    });

    document.getElementById('connection-count').textContent = '(' + s.connections.length + ')';
    var connections = fill('connections', s.connections, 3, 'none');
    var now = Date.parse(s.now);
    s.connections.forEach(function (c) {
      var row = connections.insertRow();
      cell(row, c.peer);
      cell(row, c.client);
      cell(row, duration((now - Date.parse(c.openedAt)) / 1000));
    });

    var recent = fill('recent', s.recent, 5, 'nothing stored since the server started');
    s.recent.forEach(function (f) {
      var row = recent.insertRow();
      cell(row, f.name);
      cell(row, bytes(f.bytes));
      cell(row, f.client);
      cell(row, f.ms + ' ms');
      cell(row, new Date(f.at).toLocaleTimeString());
    });
  }

  function refresh() {
    fetch('api/status', {cache: 'no-store'})
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(render)
      .catch(function (e) {
        var summary = document.getElementById('summary');
        summary.textContent = 'cannot read the status: ' + e.message;
        summary.className = 'down';
      })
      .then(function () { setTimeout(refresh, 2000); });
  }

  refresh();
})();
