"""HTML: one self-contained page a blogger would rather look at than read.

The results travel as JSON inside the page; a small inline script draws the charts (rot
rate by host and by post year, as inline SVG), the summary, the filters (status, host) and
the dead and redirected links per post with their snapshot and Wayback links. No CDN, no
external script, no request: a Content-Security-Policy meta forbids them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ..models import CheckReport, Status
from .base import ReportOptions, headline, host_of

_YEAR = re.compile(r"^(\d{4})-\d{1,2}-\d{1,2}-")
_LINKABLE_SCHEMES = frozenset({"", "http", "https"})


def _linkable(url: str | None) -> str | None:
    """url, if a link to it can only open a page: http(s) or relative. A report may be merged
    from files anyone wrote, so `javascript:`, `data:` and the spellings a browser would
    clean into them (white space or controls anywhere) are shown as text, never linked."""
    if not url or any(ord(c) <= 0x20 or c == "\x7f" for c in url):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _LINKABLE_SCHEMES else None


def post_year(path: str) -> str:
    """A Jekyll post's year, from its file name (2018-6-9-Title.markdown)."""
    match = _YEAR.match(PurePosixPath(path).name)
    return match.group(1) if match else "other"


def _data(report: CheckReport) -> Iterator[str]:
    """The page's data as JSON, a row at a time (27,000 rows at the real blog's size, never
    held together): the text json.dumps would make of the whole, each piece escaped so no
    `</` closes the script element early (pieces meet between tokens, never inside one)."""
    whole = {"headline": headline(report), "offline": report.offline, "results": []}
    yield _in_script(json.dumps(whole, ensure_ascii=False)[:-2])
    for index, result in enumerate(report.results):
        link, verdict = result.link, result.verdict
        row = {
            "file": link.file,
            "line": link.line,
            "column": link.column,
            "url": link.raw,
            "href": _linkable(link.raw),
            "status": verdict.status.value,
            "reason": verdict.reason,
            "final_url": verdict.final_url,
            "detail": verdict.detail,
            "host": host_of(result),
            "year": post_year(link.file),
            "snapshot": _linkable(result.snapshot),
            "wayback": _linkable(result.wayback),
            "failing": result.history.consecutive_failures if result.history else 0,
            "acknowledged": result.acknowledged,
        }
        yield (", " if index else "") + _in_script(json.dumps(row, ensure_ascii=False))
    yield "]}"


def _in_script(text: str) -> str:
    return text.replace("</", "<\\/")  # never closes the script element early


_STYLE = """
:root { --dead:#c0392b; --redirected:#d68910; --unknown:#7d3c98; --alive:#1e8449;
        --excluded:#95a5a6; --ink:#222; --muted:#666; --line:#e5e5e5; }
* { box-sizing: border-box; }
body { font: 15px/1.5 -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
       sans-serif; color: var(--ink); margin: 0; background: #fafafa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; }
main { padding: 20px 32px; max-width: 1200px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
        min-width: 120px; }
.card b { display: block; font-size: 26px; }
.card.dead b { color: var(--dead); } .card.redirected b { color: var(--redirected); }
.card.unknown b { color: var(--unknown); } .card.alive b { color: var(--alive); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.chart h2, section h2 { font-size: 16px; margin: 0 0 8px; }
.filters { margin: 20px 0 8px; display: flex; gap: 16px; flex-wrap: wrap; align-items: center; }
.post { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 12px 0;
        padding: 8px 16px; }
.post h3 { font-size: 15px; margin: 4px 0 8px; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
td { border-top: 1px solid var(--line); padding: 6px 8px; vertical-align: top;
     word-break: break-all; }
td.where { white-space: nowrap; color: var(--muted); width: 70px; }
.status { font-weight: 600; white-space: nowrap; }
.status.dead { color: var(--dead); } .status.redirected { color: var(--redirected); }
.status.unknown { color: var(--unknown); }
.note { color: var(--muted); font-size: 13px; }
.empty { color: var(--muted); font-style: italic; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("linkcheck-data").textContent);
  var statuses = ["dead", "redirected", "unknown", "alive", "excluded"];
  var problems = ["dead", "redirected", "unknown"];
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function count(rows, status) {
    return rows.filter(function (r) { return r.status === status; }).length;
  }

  var cards = document.getElementById("summary");
  statuses.forEach(function (status) {
    var card = el("div", {"class": "card " + status, "data-status": status});
    card.appendChild(el("b", {"class": "count"}, String(count(data.results, status))));
    card.appendChild(el("span", {}, status));
    cards.appendChild(card);
  });

  function rotChart(id, key, limit) {
    var groups = {};
    data.results.forEach(function (r) {
      if (r.status === "excluded") return;
      var g = groups[r[key]] || (groups[r[key]] = {total: 0, dead: 0});
      g.total += 1;
      if (r.status === "dead") g.dead += 1;
    });
    var names = Object.keys(groups);
    if (key === "host") {
      names.sort(function (a, b) { return groups[b].total - groups[a].total || (a < b ? -1 : 1); });
      names = names.slice(0, limit);
    } else {
      names.sort();
    }
    // Laid out around its own text as the browser measures it: every label and every
    // count fits inside the chart, whatever the names and numbers.
    var chart = document.getElementById(id);
    var rowHeight = 22, bars = 290, gap = 8;
    var rows = names.map(function (name, i) {
      var g = groups[name], y = i * rowHeight + 4;
      var shown = name.length > 40 ? name.slice(0, 39) + "\u2026" : name;
      var label = svg("text", {y: y + 12, "text-anchor": "end", "font-size": 12,
        "class": "label"}, shown);
      var value = svg("text", {y: y + 12, "font-size": 12, fill: "#666", "class": "value"},
        Math.round(g.dead / g.total * 100) + "% (" + g.dead + "/" + g.total + ")");
      chart.appendChild(label);
      chart.appendChild(value);
      return {name: name, g: g, y: y, label: label, value: value};
    });
    var labelWidth = 0, valueWidth = 0;
    rows.forEach(function (row) {
      labelWidth = Math.max(labelWidth, row.label.getComputedTextLength());
      valueWidth = Math.max(valueWidth, row.value.getComputedTextLength());
    });
    var left = Math.ceil(labelWidth) + gap;
    var width = left + bars + gap + Math.ceil(valueWidth) + gap;
    chart.setAttribute("viewBox", "0 0 " + width + " " + (names.length * rowHeight + 10));
    chart.setAttribute("height", names.length * rowHeight + 10);
    chart.setAttribute("data-width", width);
    rows.forEach(function (row) {
      var rate = row.g.dead / row.g.total, length = Math.max(1, rate * bars);
      var bar = svg("rect", {x: left, y: row.y, height: rowHeight - 6, width: length,
        fill: "var(--dead)", "class": "bar", "data-name": row.name, "data-dead": row.g.dead,
        "data-total": row.g.total});
      bar.appendChild(svg("title", {}, row.name + ": " + row.g.dead + " dead of " + row.g.total));
      chart.insertBefore(bar, row.value);
      row.label.setAttribute("x", left - gap);
      row.value.setAttribute("x", left + length + gap);
      row.label.setAttribute("data-length", row.label.getComputedTextLength());
      row.value.setAttribute("data-length", row.value.getComputedTextLength());
    });
  }
  rotChart("chart-hosts", "host", 12);
  rotChart("chart-years", "year", 1000);

  var hostSelect = document.getElementById("filter-host");
  var hosts = {};
  data.results.forEach(function (r) { if (problems.indexOf(r.status) >= 0) hosts[r.host] = 1; });
  Object.keys(hosts).sort().forEach(function (h) { hostSelect.appendChild(el("option", {value: h}, h)); });

  var posts = document.getElementById("posts");
  var byFile = {};
  data.results.forEach(function (r) {
    if (problems.indexOf(r.status) < 0) return;
    (byFile[r.file] || (byFile[r.file] = [])).push(r);
  });
  Object.keys(byFile).sort().forEach(function (file) {
    var section = el("div", {"class": "post", "data-file": file});
    section.appendChild(el("h3", {}, file));
    var table = el("table");
    byFile[file].forEach(function (r) {
      var row = el("tr", {"class": "link", "data-status": r.status, "data-host": r.host});
      row.appendChild(el("td", {"class": "where"}, r.line + ":" + r.column));
      row.appendChild(el("td", {"class": "status " + r.status}, r.status));
      var cell = el("td");
      cell.appendChild(r.href ? el("a", {href: r.href, rel: "noopener noreferrer"}, r.url)
                              : el("span", {"class": "unlinked"}, r.url));
      var notes = [r.reason];
      if (r.status === "redirected" && r.final_url) notes.push("now at " + r.final_url);
      else if (r.detail) notes.push(r.detail);
      if (r.failing > 1) notes.push("failing " + r.failing + " runs in a row");
      cell.appendChild(el("div", {"class": "note"}, notes.join(" · ")));
      if (r.snapshot) cell.appendChild(el("a", {href: r.snapshot, "class": "copy"}, "local snapshot"));
      if (r.wayback) {
        if (r.snapshot) cell.appendChild(document.createTextNode(" · "));
        cell.appendChild(el("a", {href: r.wayback, "class": "copy", rel: "noopener noreferrer"},
                            "Wayback Machine"));
      }
      row.appendChild(cell);
      table.appendChild(row);
    });
    section.appendChild(table);
    posts.appendChild(section);
  });
  if (!Object.keys(byFile).length) posts.appendChild(el("p", {"class": "empty"}, "Every link checked is alive."));

  function applyFilters() {
    var wanted = {};
    document.querySelectorAll("input[name=status]").forEach(function (box) { wanted[box.value] = box.checked; });
    var host = hostSelect.value;
    document.querySelectorAll("tr.link").forEach(function (row) {
      var show = wanted[row.dataset.status] && (!host || row.dataset.host === host);
      row.hidden = !show;
    });
    document.querySelectorAll("div.post").forEach(function (post) {
      post.hidden = !post.querySelector("tr.link:not([hidden])");
    });
  }
  // A filtered view can be shared: report.html#status=dead,redirected&host=github.com
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("status")) {
    var shown = hash.get("status").split(",");
    document.querySelectorAll("input[name=status]").forEach(function (box) { box.checked = shown.indexOf(box.value) >= 0; });
  }
  if (hash.get("host")) hostSelect.value = hash.get("host");
  document.querySelectorAll("input[name=status]").forEach(function (box) { box.addEventListener("change", applyFilters); });
  hostSelect.addEventListener("change", applyFilters);
  applyFilters();
  document.body.setAttribute("data-rendered", "true");
})();
"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Only our own stylesheet and script run, by their digests: no inline code a report's data
# could smuggle in ('unsafe-inline' would allow any), no request anywhere.
CSP = (
    f"default-src 'none'; script-src {_digest(_SCRIPT)}; style-src {_digest(_STYLE)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


class HtmlReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        boxes = "".join(
            f'<label><input type="checkbox" name="status" value="{s}" checked> {s}</label>'
            for s in (Status.DEAD.value, Status.REDIRECTED.value, Status.UNKNOWN.value)
        )
        yield f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>linkcheck report</title>
<style>{_STYLE}</style>
</head>
<body>
<header><h1>Link rot report</h1><div class="note">{html.escape(headline(report))}</div></header>
<main>
<div class="cards" id="summary"></div>
<div class="charts">
<div class="chart"><h2>Rot rate by host</h2><svg id="chart-hosts" width="100%" role="img"
aria-label="Share of dead links by host"></svg></div>
<div class="chart"><h2>Rot rate by post year</h2><svg id="chart-years" width="100%" role="img"
aria-label="Share of dead links by the year of the post"></svg></div>
</div>
<section>
<div class="filters">{boxes}<label>host <select id="filter-host"><option value="">all hosts</option></select></label></div>
<h2>Links to look at, per post</h2>
<div id="posts"></div>
</section>
</main>
<script type="application/json" id="linkcheck-data">"""
        yield from _data(report)
        yield f"""</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
