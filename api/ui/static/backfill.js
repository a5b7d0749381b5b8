// The back-fill form: choosing a zip or typing a folder also selects that source, so the form never starts
// from the other one by mistake.
"use strict";
(function () {
  const pick = { "bf-archive": ["change", "bf-src-zip"], "bf-folder": ["input", "bf-src-folder"] };
  for (const [field, [event, radio]] of Object.entries(pick)) {
    const el = document.getElementById(field);
    if (el) el.addEventListener(event, () => { if (el.value) document.getElementById(radio).checked = true; });
  }
})();
