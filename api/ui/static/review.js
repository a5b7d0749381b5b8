// The review screen: page image with zoom/pan/rotate and field boxes; field edits, the items table (saved
// as a whole list) and decisions posted to the server, whose answer (re-rendered fragments) replaces the
// affected parts of the page.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const $ = (id) => document.getElementById(id);
  const viewport = $("viewport"), stage = $("stage"), img = $("page-img"), svg = $("overlay");
  const SVGNS = "http://www.w3.org/2000/svg";
  let version = data.version, boxes = data.boxes;
  const view = { page: data.page, scale: 1, w: 0, h: 0, z: 1, r: 0, tx: 0, ty: 0 };
  let active = null;

  // ---- viewer -------------------------------------------------------------------------------------------
  let fitted = false;  // still as fit() left it: a window resize fits again, but never undoes the reviewer's zoom or pan
  function apply(keepFit) {
    fitted = keepFit === true;
    stage.style.transform = `translate(${view.tx}px, ${view.ty}px) rotate(${view.r}deg) scale(${view.z})`;
  }
  function fit() {
    const vw = viewport.clientWidth, vh = viewport.clientHeight;
    const sideways = view.r % 180 !== 0;
    const w = sideways ? view.h : view.w, h = sideways ? view.w : view.h;
    view.z = Math.min(vw / w, vh / h) * 0.98;
    view.tx = vw / 2 - view.w / 2;
    view.ty = vh / 2 - view.h / 2;
    apply(true);
  }
  function zoomAt(k, px, py) {
    // Keep the point under (px, py) fixed: the stage centre c moves to p - (p - c) * k.
    const cx = view.tx + view.w / 2, cy = view.ty + view.h / 2;
    const z0 = view.z;
    view.z = Math.max(0.05, Math.min(20, z0 * k));
    k = view.z / z0;
    view.tx = px - (px - cx) * k - view.w / 2;
    view.ty = py - (py - cy) * k - view.h / 2;
    apply();
  }
  function zoom(k) { zoomAt(k, viewport.clientWidth / 2, viewport.clientHeight / 2); }
  function rotate(d) { view.r = (view.r + d + 360) % 360; apply(); }
  function screenOf(x, y) {
    // Stage pixel (x, y) → viewport position, through rotate+scale about the stage centre.
    const dx = (x - view.w / 2) * view.z, dy = (y - view.h / 2) * view.z, a = view.r * Math.PI / 180;
    return [view.tx + view.w / 2 + dx * Math.cos(a) - dy * Math.sin(a),
            view.ty + view.h / 2 + dx * Math.sin(a) + dy * Math.cos(a)];
  }
  function reveal(box) {
    const s = view.scale, [x0, y0, x1, y1] = box.bbox;
    const [sx, sy] = screenOf((x0 + x1) / 2 * s, (y0 + y1) / 2 * s);
    const vw = viewport.clientWidth, vh = viewport.clientHeight, m = 24;
    if (sx < m || sy < m || sx > vw - m || sy > vh - m) {
      view.tx += vw / 2 - sx; view.ty += vh / 2 - sy; apply();
    }
  }

  async function loadPage(p) {
    view.page = p;
    const res = await fetch(`/ui/invoices/${data.id}/pages/${p}`, { credentials: "same-origin" });
    if (!res.ok) { stage.hidden = true; $("no-image").hidden = false; return; }
    view.scale = parseFloat(res.headers.get("X-Bbox-Scale") || "1");
    const url = URL.createObjectURL(await res.blob());
    img.onload = () => {
      URL.revokeObjectURL(url);
      view.w = img.naturalWidth; view.h = img.naturalHeight;
      stage.style.width = view.w + "px"; stage.style.height = view.h + "px";
      svg.setAttribute("viewBox", `0 0 ${view.w} ${view.h}`);
      svg.setAttribute("width", view.w); svg.setAttribute("height", view.h);
      drawBoxes(); fit();
      stage.hidden = false; $("no-image").hidden = true;
    };
    img.src = url;
  }

  function drawBoxes() {
    svg.replaceChildren();
    const s = view.scale;
    for (const b of boxes) {
      if (b.page !== view.page) continue;
      const [x0, y0, x1, y1] = b.bbox, pad = 2;
      const r = document.createElementNS(SVGNS, "rect");
      r.setAttribute("x", x0 * s - pad); r.setAttribute("y", y0 * s - pad);
      r.setAttribute("width", (x1 - x0) * s + 2 * pad); r.setAttribute("height", (y1 - y0) * s + 2 * pad);
      r.setAttribute("rx", 3);
      r.dataset.field = b.name;
      r.setAttribute("class", ["box", ...b.marks, b.name === active ? "active" : ""].join(" ").trim());
      svg.appendChild(r);
    }
  }
  function highlight(name) {
    active = name;
    for (const r of svg.querySelectorAll("rect")) r.classList.toggle("active", r.dataset.field === name);
    for (const row of document.querySelectorAll("[data-field]")) {
      if (row.tagName !== "rect") row.classList.toggle("focused", row.dataset.field === name);
    }
    const box = boxes.find((b) => b.name === name);
    if (!box) return;
    if (box.page !== view.page) { selectPage(box.page); return; }
    reveal(box);
  }
  function selectPage(p) {
    const sel = $("page-select");
    if (sel) sel.value = String(p);
    loadPage(p);
  }

  let drag = null;
  viewport.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty, moved: false, target: e.target };
    viewport.setPointerCapture(e.pointerId);
  });
  viewport.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    view.tx = drag.tx + dx; view.ty = drag.ty + dy; apply();
  });
  viewport.addEventListener("pointerup", () => {
    if (drag && !drag.moved && drag.target.dataset && drag.target.dataset.field) {
      const input = $("f-" + drag.target.dataset.field);
      if (input) input.focus();
    }
    drag = null;
  });
  viewport.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = viewport.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - rect.left, e.clientY - rect.top);
  }, { passive: false });
  viewport.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const step = 40, keys = {
      ArrowLeft: () => { view.tx += step; apply(); }, ArrowRight: () => { view.tx -= step; apply(); },
      ArrowUp: () => { view.ty += step; apply(); }, ArrowDown: () => { view.ty -= step; apply(); },
      "+": () => zoom(1.25), "=": () => zoom(1.25), "-": () => zoom(0.8), "0": fit,
      r: () => rotate(90), R: () => rotate(-90),
    };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  for (const b of document.querySelectorAll("[data-view]")) {
    b.addEventListener("click", () => ({
      "zoom-in": () => zoom(1.25), "zoom-out": () => zoom(0.8), fit,
      "rotate-left": () => rotate(-90), "rotate-right": () => rotate(90),
    })[b.dataset.view]());
  }
  const pageSelect = $("page-select");
  if (pageSelect) pageSelect.addEventListener("change", () => loadPage(parseInt(pageSelect.value, 10)));
  window.addEventListener("resize", () => { if (view.w && fitted) fit(); });

  // ---- edits and decisions ------------------------------------------------------------------------------
  const form = $("fields");
  let chain = Promise.resolve();
  const inputs = () => form.querySelectorAll("input[name], textarea[name]");

  function showAlert(text, reload) {
    $("alert-text").textContent = text;
    $("btn-reload").hidden = !reload;
    $("alert").hidden = false;
  }
  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let json = null;
    try { json = await res.json(); } catch (_) { /* not JSON */ }
    return { res, json };
  }
  function problemText(json, res) {
    if (!json) return `${data.msg.error} (${res.status})`;
    return [json.detail, json.hint].filter(Boolean).join(" — ");
  }
  function applyUpdate(u) {
    version = u.version;
    if (u.review) review = u.review;
    $("status").innerHTML = u.status_html;
    $("general").innerHTML = u.general_html;
    $("history").innerHTML = u.history_html;
    if (!itemsDirty) { itemsBody.innerHTML = u.items_html; renumber(); savedItems = JSON.stringify(collectItems()); }
    boxes = u.boxes;
    for (const [name, f] of Object.entries(u.fields)) {
      const row = $("row-" + name), input = $("f-" + name);
      if (!row) continue;
      row.className = ["field", ...f.marks, name === active ? "focused" : ""].join(" ").trim();
      $("meta-" + name).innerHTML = f.meta_html;
      $("fd-" + name).innerHTML = f.findings_html;
      // A field the reviewer has typed into but not saved yet keeps their text (its own save follows).
      if (input.value.trim() === input.dataset.saved) input.value = f.value;
      input.dataset.saved = f.value;
    }
    drawBoxes();
  }
  function handleFailure(res, json, name) {
    if (res.status === 409) { showAlert(data.msg.conflict, true); return; }
    if (res.status === 401) { window.location.href = "/ui/login?next=" + encodeURIComponent(location.pathname); return; }
    const err = name && $("err-" + name);
    if (err) { err.textContent = problemText(json, res); err.hidden = false; }
    else showAlert(problemText(json, res), false);
  }
  function save(input) {
    chain = chain.then(async () => {
      const name = input.name, value = input.value.trim();
      if (input.readOnly || value === input.dataset.saved) return true;
      const row = $("row-" + name), err = $("err-" + name);
      row.classList.add("saving"); err.hidden = true;
      const { res, json } = await post(`/ui/invoices/${data.id}/fields`, { version, fields: { [name]: value || null } });
      row.classList.remove("saving");
      if (res.ok) { input.dataset.saved = value; applyUpdate(json); row.classList.add("saved"); return true; }
      handleFailure(res, json, name);
      return false;
    });
    return chain;
  }
  // One decision at a time: a double click or a repeated shortcut sends nothing while a request is in flight.
  let deciding = false, leaving = false;
  let review = data.review;  // the decision the invoice has: sending it again changes nothing
  const decisionButtons = () => [$("btn-confirm"), $("btn-reject"), $("btn-override")];
  async function decide(decision, override) {
    if (deciding || (decision === review && !override)) return;
    deciding = true;
    for (const b of decisionButtons()) b.disabled = true;
    try {
      if (!(await saveAll())) return;
      const note = $("note").value;
      const body = { version, decision, note: note || null, override: override || null };
      const { res, json } = await post(`/ui/invoices/${data.id}/review`, body);
      if (res.ok) {
        applyUpdate(json); $("note").value = ""; $("alert").hidden = true; hideOverride();
        if (decision === "confirmed") {  // done with this one: the next invoice waiting for review, as Alt+N
          leaving = true;
          window.location.href = `/ui/invoices/next?after=${data.id}&confirmed=1`;
        }
      } else if (res.status === 409 && json && json.title === "open_errors") {
        $("override-text").textContent = json.detail;
        $("override-error").hidden = true;
        $("override").hidden = false;
        $("override-reason").focus();
      } else handleFailure(res, json, null);
    } finally {
      if (!leaving) {  // on the way to the next invoice: nothing more is sent from this page
        deciding = false;
        for (const b of decisionButtons()) b.disabled = false;
      }
    }
  }
  function hideOverride() { $("override").hidden = true; $("override-reason").value = ""; }
  $("btn-override").addEventListener("click", () => {
    const reason = $("override-reason").value.trim();
    if (!reason) { $("override-error").hidden = false; $("override-reason").focus(); return; }
    decide("confirmed", reason);
  });
  $("btn-override-cancel").addEventListener("click", hideOverride);
  // ---- items table: edit cells, add and remove rows, save the whole list ------------------------------------
  const itemsBody = $("items-body");
  let itemsDirty = false, savedItems = "";

  function renumber() {
    Array.from(itemsBody.rows).forEach((tr, i) => {
      const n = String(i + 1);
      tr.cells[0].textContent = n;
      for (const input of tr.querySelectorAll("input")) {
        input.setAttribute("aria-label", data.msg.item_cell.replace("{col}", input.dataset.col).replace("{n}", n));
      }
      const rm = tr.querySelector("[data-remove]"), label = data.msg.item_remove.replace("{n}", n);
      rm.setAttribute("aria-label", label); rm.title = label;
    });
    $("no-items").hidden = itemsBody.rows.length > 0;
  }
  function itemsChanged() {
    // Dirty only while the table differs from what was saved (adding and removing a row again is no edit).
    itemsDirty = JSON.stringify(collectItems()) !== savedItems;
    $("items-state").textContent = itemsDirty ? data.msg.items_unsaved : "";
  }
  function collectItems() {
    return Array.from(itemsBody.rows, (tr) => {
      const row = { src: tr.dataset.src === undefined ? null : parseInt(tr.dataset.src, 10) };
      for (const input of tr.querySelectorAll("input")) row[input.name] = input.value.trim() || null;
      row.name = row.name || "";
      return row;
    });
  }
  function saveItems() {
    chain = chain.then(async () => {
      if (!itemsDirty) return true;
      const err = $("items-error"), state = $("items-state");
      err.hidden = true; state.textContent = data.msg.saving;
      const { res, json } = await post(`/ui/invoices/${data.id}/items`, { version, items: collectItems() });
      if (res.ok) { itemsDirty = false; applyUpdate(json); state.textContent = data.msg.saved; return true; }
      state.textContent = "";
      if (res.status === 409 || res.status === 401) handleFailure(res, json, null);
      else { err.textContent = problemText(json, res); err.hidden = false; }
      return false;
    });
    return chain;
  }
  $("btn-add-item").addEventListener("click", () => {
    const tr = $("item-row-template").content.firstElementChild.cloneNode(true);
    itemsBody.appendChild(tr);
    renumber(); itemsChanged();
    tr.querySelector("input").focus();
  });
  itemsBody.addEventListener("click", (e) => {
    const btn = e.target.closest("[data-remove]");
    if (!btn) return;
    const tr = btn.closest("tr"), near = tr.nextElementSibling || tr.previousElementSibling;
    tr.remove();
    renumber(); itemsChanged();
    (near ? near.querySelector("[data-remove]") : $("btn-add-item")).focus();
  });
  itemsBody.addEventListener("input", itemsChanged);
  itemsBody.addEventListener("focusin", (e) => {
    const tr = e.target.closest("tr");
    if (tr && tr.dataset.field) highlight(tr.dataset.field);
  });
  $("items-form").addEventListener("submit", (e) => { e.preventDefault(); saveItems(); });
  savedItems = JSON.stringify(collectItems());

  async function saveAll() {
    // Typed but not saved yet (no change event before a shortcut): saved first; false when a save was refused.
    for (const input of inputs()) {
      if (input.value.trim() !== input.dataset.saved && !(await save(input))) return false;
    }
    return saveItems();
  }
  async function next() { if (await saveAll()) window.location.href = $("btn-next").getAttribute("href"); }

  for (const input of inputs()) {
    input.addEventListener("change", () => save(input));
    input.addEventListener("focus", () => highlight(input.name));
    input.addEventListener("input", () => $("row-" + input.name).classList.remove("saved"));
  }
  form.addEventListener("submit", (e) => e.preventDefault());
  $("btn-confirm").addEventListener("click", () => decide("confirmed"));
  $("btn-reject").addEventListener("click", () => decide("rejected"));
  $("btn-reload").addEventListener("click", () => window.location.reload());
  $("btn-next").addEventListener("click", (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;  // a new tab: nothing is left
    e.preventDefault(); next();
  });
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key.toLowerCase();
    if (e.key === "Enter") { e.preventDefault(); decide("confirmed"); }
    else if (k === "r" || e.code === "KeyR") { e.preventDefault(); decide("rejected"); }
    else if (k === "n" || e.code === "KeyN") { e.preventDefault(); next(); }
  });

  loadPage(view.page);
})();
