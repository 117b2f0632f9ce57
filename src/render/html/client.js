// The nsnap report's page script. It renders the tables embedded as JSON in #nsnap-data a page
// at a time (sorting, a filter box, filter buttons, paging) and draws the time series with uPlot
// when the page carries it. Every value goes into the page as text (textContent), never as
// markup; characters that would not show are drawn as escapes, as the renderer does
// (src/render/html/escape.ts). No network, no storage, no timers beyond a filter debounce.
(() => {
  "use strict";

  // Keep in step with HIDDEN_CHARS in escape.ts; matching control characters is the point.
  const HIDDEN =
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const PAGE_SIZES = [50, 200, 1000];
  const PRINT_ROWS = 2000;
  const MAX_FACET_VALUES = 12;
  const MAX_SELECT_VALUES = 500;
  const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  const NUMERIC = new Set(["num", "int", "bytes", "rate"]);
  const DASHES = [[], [7, 4], [2, 3], [10, 3, 2, 3]];
  const EMPTY = "other";

  const source = document.getElementById("nsnap-data");
  if (!source) return;
  const data = JSON.parse(source.textContent || "{}");

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) putText(e, text);
    return e;
  }

  function escapeCode(ch) {
    const n = ch.charCodeAt(0);
    return n < 0x100
      ? "\\x" + n.toString(16).padStart(2, "0")
      : "\\u" + n.toString(16).padStart(4, "0");
  }

  /** Appends text to a node; hidden characters become visible escapes in a span.ctl. */
  function putText(node, text) {
    const s = String(text);
    let last = 0;
    for (const m of s.matchAll(HIDDEN)) {
      if (m.index > last) node.append(s.slice(last, m.index));
      const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      const span = document.createElement("span");
      span.className = "ctl";
      span.title = "U+" + code;
      span.textContent = escapeCode(m[0]);
      node.append(span);
      last = m.index + m[0].length;
    }
    if (last < s.length) node.append(s.slice(last));
  }

  /** What a string looks like on the page (hidden characters as escapes), for search. */
  function visible(s) {
    return String(s).replace(HIDDEN, escapeCode);
  }

  function grouped(v) {
    const s = String(v);
    const neg = s.startsWith("-");
    const [int, frac] = (neg ? s.slice(1) : s).split(".");
    const g = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + g + (frac !== undefined ? "." + frac : "");
  }

  // Keep in step with formatBytes() in src/format.ts: IEC units (1 KiB = 1024 B), one decimal,
  // rounded before the unit is chosen (1048575 B is "1 MiB"), so a chart and a table agree.
  const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  function bytes(v) {
    const value = Number(v);
    if (Math.abs(value) < 1024) return Math.round(value) + " B";
    let n = value / 1024, u = 0;
    while (Math.abs(Math.round(n * 10) / 10) >= 1024 && u < BYTE_UNITS.length - 1) {
      n /= 1024;
      u++;
    }
    const shown = Math.round(n * 10) / 10;
    return (Number.isInteger(shown) ? String(shown) : shown.toFixed(1)) + " " + BYTE_UNITS[u];
  }

  // Keep in step with formatRate() in src/format.ts.
  function rate(v) {
    const n = Number(v);
    if (n > 0 && n < 0.005) return "<0.01";
    if (Number.isFinite(n) && Math.abs(n) > 2 ** 53) {
      const [mantissa, exponent] = n.toExponential(2).split("e");
      return "~" + mantissa + "×10^" + Number(exponent);
    }
    return grouped(n.toFixed(2));
  }

  function timeText(iso) {
    const s = String(iso);
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(s) ? s.slice(0, 10) + " " + s.slice(11, 19) : s;
  }

  function display(type, v) {
    if (v === null || v === undefined || v === "") return "";
    switch (type) {
      case "num":
        return typeof v === "number" || /^-?\d+(\.\d+)?$/.test(String(v)) ? grouped(v) : String(v);
      case "bytes":
        return bytes(v);
      case "rate":
        return rate(v);
      case "time":
        return timeText(v);
      default:
        return String(v);
    }
  }

  /** A sortable key for an address, endpoint or CIDR: family, bits, then port or prefix. */
  function addrKey(text) {
    const s = String(text);
    let m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:[:/](\d+))?/.exec(s);
    if (m) {
      const hex = m.slice(1, 5).map((x) => Number(x).toString(16).padStart(2, "0")).join("");
      return "4" + hex + String(m[5] ?? "").padStart(6, "0");
    }
    m = /^\[?([0-9a-fA-F:.]*:[0-9a-fA-F:.]*)(?:%[^\]/]*)?\]?(?:[:/](\d+))?$/.exec(s);
    if (m) {
      const halves = m[1].split("::");
      const part = (h) => (h ? h.split(":") : []);
      const head = part(halves[0]);
      const tail = halves.length > 1 ? part(halves[1]) : [];
      const fill = Array(Math.max(0, 8 - head.length - tail.length)).fill("0");
      const groups = [...head, ...fill, ...tail].map((g) => g.padStart(4, "0").slice(-4));
      return "6" + groups.join("") + String(m[2] ?? "").padStart(6, "0");
    }
    return "9" + s.toLowerCase();
  }

  function compareCells(type, a, b) {
    const an = a === null || a === undefined || a === "";
    const bn = b === null || b === undefined || b === "";
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    if (NUMERIC.has(type)) {
      const d = Number(a) - Number(b);
      if (d !== 0 && !Number.isNaN(d)) return d < 0 ? -1 : 1;
      return collator.compare(String(a), String(b));
    }
    if (type === "addr") {
      const x = addrKey(a), y = addrKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (type === "time") return a < b ? -1 : a > b ? 1 : 0;
    return collator.compare(String(a), String(b));
  }

  function slug(v) {
    return String(v).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  }

  function fillCell(td, type, v) {
    const text = display(type, v);
    if (type !== "badge" && type !== "text") {
      td.className = NUMERIC.has(type) ? "t-num" : "t-" + type;
    }
    if (text === "") {
      td.append(el("span", "none", "—"));
    } else if (type === "badge") {
      td.append(el("span", "badge b-" + slug(v), text));
    } else {
      putText(td, text);
    }
  }

  /** One interactive table, rendered into its mount point. */
  function makeTable(spec, mount) {
    const cols = spec.columns;
    const rows = spec.rows;
    const n = rows.length;
    const st = {
      terms: [],
      facets: new Map(),
      sort: spec.sort ? [spec.sort[0], spec.sort[1]] : null,
      page: 0,
      size: PAGE_SIZES[0],
      printing: false,
    };
    let order = rows.map((_, i) => i);
    let shown = order;
    let haystack = null;
    mount.textContent = "";
    mount.dataset.total = String(n);
    if (n === 0) {
      mount.dataset.shown = "0";
      mount.append(el("p", "none", spec.empty));
      return { print() {}, unprint() {} };
    }

    const tools = el("div", "tools");
    const search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Filter " + spec.noun + "…";
    search.setAttribute("aria-label", "Filter " + spec.noun);
    search.autocomplete = "off";
    search.spellcheck = false;
    tools.append(search);
    for (const [ci, c] of cols.entries()) {
      if (!c.facet) continue;
      const counts = new Map();
      for (const r of rows) {
        const v = r[ci] === null || r[ci] === "" ? EMPTY : String(r[ci]);
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      if (counts.size < 2 || counts.size > MAX_SELECT_VALUES) continue;
      const box = el("div", "facet");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", c.label);
      box.append(el("span", "", c.label + ":"));
      const values = [...counts.keys()].sort((a, b) => collator.compare(a, b));
      if (counts.size > MAX_FACET_VALUES) {
        // Too many values for buttons: one choice from a list.
        const pick = document.createElement("select");
        pick.setAttribute("aria-label", c.label);
        pick.append(el("option", "", "all"));
        pick.options[0].value = "";
        for (const v of values) {
          const o = el("option", "", v + " (" + counts.get(v) + ")");
          o.value = v;
          pick.append(o);
        }
        pick.addEventListener("change", () => {
          if (pick.value) st.facets.set(ci, new Set([pick.value]));
          else st.facets.delete(ci);
          st.page = 0;
          filter();
        });
        box.append(pick);
        tools.append(box);
        continue;
      }
      for (const v of values) {
        const b = el("button", "", v + " " + counts.get(v));
        b.type = "button";
        b.setAttribute("aria-pressed", "false");
        b.dataset.value = v;
        b.addEventListener("click", () => {
          const set = st.facets.get(ci) ?? new Set();
          if (set.has(v)) set.delete(v);
          else set.add(v);
          if (set.size) st.facets.set(ci, set);
          else st.facets.delete(ci);
          b.setAttribute("aria-pressed", String(set.has(v)));
          st.page = 0;
          filter();
        });
        box.append(b);
      }
      tools.append(box);
    }
    const count = el("span", "count");
    count.setAttribute("aria-live", "polite");
    tools.append(count);

    const scroll = el("div", "scroll");
    const table = document.createElement("table");
    const thead = document.createElement("thead");
    const hr = document.createElement("tr");
    const ths = cols.map((c, ci) => {
      const th = document.createElement("th");
      th.scope = "col";
      if (NUMERIC.has(c.type)) th.className = "t-num";
      const b = el("button", "", c.label);
      b.type = "button";
      if (c.title) b.title = c.title;
      b.addEventListener("click", () => {
        st.sort = st.sort && st.sort[0] === ci ? [ci, -st.sort[1]] : [ci, 1];
        sort();
        filter();
      });
      th.append(b);
      hr.append(th);
      return th;
    });
    thead.append(hr);
    const tbody = document.createElement("tbody");
    table.append(thead, tbody);
    scroll.append(table);

    const pager = el("div", "pager");
    const prev = el("button", "", "‹ Previous");
    const next = el("button", "", "Next ›");
    prev.type = next.type = "button";
    const where = el("span", "");
    const size = document.createElement("select");
    size.setAttribute("aria-label", "Rows per page");
    for (const s of PAGE_SIZES) {
      const o = el("option", "", s + " per page");
      o.value = String(s);
      size.append(o);
    }
    prev.addEventListener("click", () => {
      st.page--;
      render();
    });
    next.addEventListener("click", () => {
      st.page++;
      render();
    });
    size.addEventListener("change", () => {
      st.size = Number(size.value);
      st.page = 0;
      render();
    });
    pager.append(where, prev, next, size);

    mount.append(tools, scroll, pager);

    let timer = 0;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        st.terms = search.value.toLowerCase().split(/\s+/).filter((t) => t);
        st.page = 0;
        filter();
      }, n > 2000 ? 120 : 0);
    });

    function textOf(i) {
      return rows[i].map((v, ci) => visible(display(cols[ci].type, v))).join("\u0001")
        .toLowerCase();
    }

    function sort() {
      order = rows.map((_, i) => i);
      if (!st.sort) return;
      const [ci, dir] = st.sort;
      const type = cols[ci].type;
      order.sort((a, b) => compareCells(type, rows[a][ci], rows[b][ci]) * dir || a - b);
    }

    function filter() {
      const facets = [...st.facets];
      if (st.terms.length && !haystack) haystack = rows.map((_, i) => textOf(i));
      shown = order.filter((i) => {
        for (const [ci, set] of facets) {
          const v = rows[i][ci] === null || rows[i][ci] === "" ? EMPTY : String(rows[i][ci]);
          if (!set.has(v)) return false;
        }
        for (const t of st.terms) if (!haystack[i].includes(t)) return false;
        return true;
      });
      render();
    }

    function render() {
      const limit = st.printing ? PRINT_ROWS : st.size;
      const pages = Math.max(1, Math.ceil(shown.length / limit));
      st.page = Math.min(Math.max(0, st.page), pages - 1);
      const from = st.printing ? 0 : st.page * limit;
      const slice = shown.slice(from, from + limit);
      const frag = document.createDocumentFragment();
      for (const i of slice) {
        const tr = document.createElement("tr");
        const title = spec.titles ? spec.titles[i] : null;
        if (title) tr.title = visible(title);
        for (const [ci, c] of cols.entries()) {
          const td = document.createElement("td");
          fillCell(td, c.type, rows[i][ci]);
          tr.append(td);
        }
        frag.append(tr);
      }
      if (slice.length === 0) {
        const tr = document.createElement("tr");
        const td = el("td", "none", "no " + spec.noun + " match the filter");
        td.colSpan = cols.length;
        tr.append(td);
        frag.append(tr);
      }
      tbody.replaceChildren(frag);
      for (const [ci, th] of ths.entries()) {
        if (st.sort && st.sort[0] === ci) {
          th.setAttribute("aria-sort", st.sort[1] > 0 ? "ascending" : "descending");
        } else th.removeAttribute("aria-sort");
      }
      mount.dataset.shown = String(shown.length);
      count.textContent =
        (shown.length === n ? grouped(n) : grouped(shown.length) + " of " + grouped(n)) +
        " " + spec.noun;
      pager.hidden = shown.length <= PAGE_SIZES[0];
      where.textContent = shown.length
        ? grouped(from + 1) + "–" + grouped(from + slice.length) + " of " + grouped(shown.length)
        : "";
      prev.disabled = st.page === 0;
      next.disabled = st.page >= pages - 1;
    }

    sort();
    filter();
    return {
      print() {
        st.printing = true;
        render();
      },
      unprint() {
        st.printing = false;
        render();
      },
    };
  }

  const tables = [];
  for (const spec of data.tables ?? []) {
    const mount = document.querySelector('[data-table="' + spec.id + '"]');
    if (mount) tables.push(makeTable(spec, mount));
  }

  // Time series.
  const charts = [];

  /** A value for an axis tick or the legend: short, with the chart's unit. */
  function axisValue(unit, short) {
    return (v) => {
      if (v === null || v === undefined) return "—";
      if (unit === "B/s") return bytes(v) + "/s";
      if (unit === "/s") {
        const n = Number(v);
        const text = short ? grouped(String(Math.round(n * 100) / 100)) : rate(n);
        return text + "/s";
      }
      return grouped(Math.round(v));
    };
  }

  /** Tick labels of the time axis, in UTC: hh:mm:ss, with the date where it changes. */
  function timeTicks(_u, splits) {
    let day = "";
    return splits.map((ts) => {
      const iso = new Date(ts * 1000).toISOString();
      const clock = iso.slice(11, 19);
      const d = iso.slice(0, 10);
      if (d === day) return clock;
      day = d;
      return clock + "\n" + d;
    });
  }

  function drawCharts() {
    const plot = globalThis.uPlot;
    if (!data.series || typeof plot !== "function") return;
    const css = getComputedStyle(document.documentElement);
    const v = (name) => css.getPropertyValue(name).trim();
    const palette = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => v("--c" + i));
    const axis = {
      stroke: v("--muted"),
      grid: { stroke: v("--grid"), width: 1 },
      ticks: { stroke: v("--grid") },
    };
    const t = data.series.t;
    for (const c of data.series.charts) {
      const mount = document.querySelector('[data-chart="' + c.id + '"]');
      if (!mount) continue;
      mount.textContent = "";
      const fmt = axisValue(c.unit, false);
      const tick = axisValue(c.unit, true);
      const opts = {
        width: Math.max(280, mount.clientWidth || 600),
        height: 240,
        tzDate: (ts) => plot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
        },
        axes: [
          { ...axis, values: timeTicks, size: 44, space: 90 },
          { ...axis, size: 76, values: (_u, vals) => vals.map(tick) },
        ],
        series: [
          {
            label: "UTC",
            value: (u, _v, _s, idx) => {
              const ts = u.data[0][idx ?? u.data[0].length - 1];
              return ts === null || ts === undefined
                ? "—"
                : timeText(new Date(ts * 1000).toISOString());
            },
          },
          ...c.lines.map((l, i) => ({
            label: l.label,
            stroke: palette[i % palette.length],
            width: 2,
            // Lines that coincide (resets sent and attempts failed often do) stay visible, and a
            // colour used twice comes with another dash.
            dash: DASHES[(i + Math.floor(i / palette.length)) % DASHES.length],
            spanGaps: false,
            points: { show: t.length <= 60, size: 5 },
            paths: c.stepped ? plot.paths.stepped({ align: -1 }) : undefined,
            // Away from the cursor, the legend shows the latest values.
            value: (u, _v, si, idx) => fmt(u.data[si][idx ?? u.data[si].length - 1]),
          })),
        ],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
      };
      const u = new plot(opts, [t, ...c.lines.map((l) => l.values)], mount);
      mount.dataset.points = String(t.length);
      charts.push({ u, mount });
    }
  }

  function resizeCharts(maxWidth) {
    for (const { u, mount } of charts) {
      const w = Math.max(280, Math.min(maxWidth ?? Infinity, mount.clientWidth || 600));
      if (Math.abs(u.width - w) > 1) u.setSize({ width: w, height: 240 });
    }
  }

  function redrawCharts() {
    for (const { u } of charts) u.destroy();
    charts.length = 0;
    drawCharts();
  }

  drawCharts();
  if (charts.length && typeof ResizeObserver === "function") {
    let pending = false;
    const ro = new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        resizeCharts();
      });
    });
    for (const { mount } of charts) ro.observe(mount.parentElement ?? mount);
  }
  const dark = globalThis.matchMedia ? globalThis.matchMedia("(prefers-color-scheme: dark)") : null;
  if (dark && dark.addEventListener) dark.addEventListener("change", redrawCharts);

  // When the page was ready (ms since navigation), for people and tests measuring open time.
  document.documentElement.dataset.ready = String(Math.round(performance.now()));

  // Print every collapsed block (a fleet diff's hosts) open, and close them again after.
  let opened = [];
  globalThis.addEventListener("beforeprint", () => {
    for (const t of tables) t.print();
    opened = [...document.querySelectorAll("details:not([open])")];
    for (const d of opened) d.open = true;
    resizeCharts(680);
  });
  globalThis.addEventListener("afterprint", () => {
    for (const t of tables) t.unprint();
    for (const d of opened) d.open = false;
    opened = [];
    resizeCharts();
  });
})();
