// The reconciliation form: choosing a batch or typing a date also selects that scope, so a run is never made
// over everything by mistake after a batch was picked.
"use strict";
(function () {
  const pick = { "rc-batch": "scope-batch", "rc-from": "scope-dates", "rc-to": "scope-dates" };
  for (const [field, radio] of Object.entries(pick)) {
    const el = document.getElementById(field);
    if (el) el.addEventListener("change", () => { if (el.value) document.getElementById(radio).checked = true; });
  }
})();
