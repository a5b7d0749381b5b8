// The upload page: files dropped or chosen are posted together; each document's job is then polled until it
// is done or failed, and the invoices found are linked to the review screen. Files sent under a batch name
// also get a link to that batch's progress page.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("upload-data").textContent);
  const msg = data.msg;
  const drop = document.getElementById("drop"), input = document.getElementById("files");
  const table = document.getElementById("jobs"), body = table.querySelector("tbody");

  function row(name) {
    const tr = document.createElement("tr");
    for (let i = 0; i < 3; i++) tr.appendChild(document.createElement("td"));
    tr.cells[0].textContent = name;
    body.prepend(tr);
    table.hidden = false;
    return tr;
  }
  function setState(tr, state, text) {
    tr.cells[1].replaceChildren();
    const b = document.createElement("span");
    b.className = "badge job-" + state;
    b.textContent = text || msg[state] || state;
    tr.cells[1].appendChild(b);
    tr.dataset.state = state;
  }
  function showResult(tr, doc) {
    const cell = tr.cells[2];
    cell.replaceChildren();
    if (doc.error) { cell.textContent = doc.error; return; }
    if (!doc.invoices.length) { cell.textContent = msg.none; return; }
    for (const inv of doc.invoices) {
      const label = `${inv.invoice_number || "#" + inv.id} · ${msg[inv.status === "rejected" ? "unreadable" : inv.status] || inv.status}`;
      let el;
      if (data.reviewer) {
        el = document.createElement("a");
        el.href = `/ui/invoices/${inv.id}`;
        el.textContent = `${msg.open}: ${label}`;
      } else {
        el = document.createElement("span");
        el.textContent = label;
      }
      el.className = "result";
      cell.appendChild(el);
    }
  }
  async function poll(tr, id) {
    for (let delay = 500; ; delay = Math.min(delay * 1.5, 5000)) {
      const res = await fetch(`/ui/documents/${id}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (res.ok) {
        const doc = await res.json();
        setState(tr, doc.status);
        if (doc.status === "done" || doc.status === "failed") { showResult(tr, doc); return; }
      } else if (res.status < 500) {
        setState(tr, "failed"); tr.cells[2].textContent = String(res.status); return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  async function send(files) {
    if (!files.length) return;
    const rows = Array.from(files, (f) => { const tr = row(f.name); setState(tr, "uploading"); return tr; });
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name);
    const batch = document.getElementById("batch").value.trim();
    if (batch) form.append("batch", batch);
    const res = await fetch("/ui/upload", { method: "POST", body: form, credentials: "same-origin",
                                            headers: { Accept: "application/json" } });
    const json = await res.json().catch(() => null);
    if (!res.ok || !json) {
      for (const tr of rows) { setState(tr, "failed"); tr.cells[2].textContent = (json && json.detail) || res.status; }
      return;
    }
    if (json.batch && data.reviewer) {
      const p = document.getElementById("batch-link"), a = p.querySelector("a");
      a.href = "/ui/batches/" + encodeURIComponent(json.batch);
      a.textContent = msg.batch_progress.replace("{b}", json.batch);
      p.hidden = false;
    }
    json.documents.forEach((doc, i) => {
      const tr = rows[i];
      if (!doc.id) { setState(tr, "rejected"); tr.cells[2].textContent = doc.error; return; }
      if (doc.duplicate) tr.cells[0].textContent += " " + msg.duplicate;
      setState(tr, doc.status);
      poll(tr, doc.id);
    });
  }

  input.addEventListener("change", () => { send(Array.from(input.files)); input.value = ""; });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.remove("over"); });
  }
  drop.addEventListener("drop", (e) => send(Array.from(e.dataTransfer.files)));
})();
