// The review page's little script: show a word's panel, mark its box on the scan, and
// highlight a figure's box when its row is selected. Everything else is plain HTML forms.
(function () {
  const panel = document.getElementById("panel");
  function select(kind, key) {
    document.querySelectorAll(".selected").forEach(el => el.classList.remove("selected"));
    document.querySelectorAll(`[data-${kind}="${key}"]`).forEach(el => el.classList.add("selected"));
  }
  document.querySelectorAll("button.word").forEach(button => {
    button.addEventListener("click", () => {
      const [page, line, position] = button.dataset.word.split("-");
      const form = document.getElementById("word-form");
      form.page.value = page; form.line.value = line; form.position.value = position;
      document.getElementById("panel-ocr").textContent = button.dataset.ocr;
      const ocr = button.dataset.ocrConfidence;
      document.getElementById("panel-confidence").textContent =
        `(OCR ${ocr || "–"}, repaired ${button.dataset.confidence})`;
      const candidates = document.getElementById("panel-candidates");
      candidates.replaceChildren();
      button.dataset.candidates.split("|").filter(Boolean).forEach(text => {
        const choice = document.createElement("button");
        choice.type = "button"; choice.className = "candidate"; choice.textContent = text;
        choice.addEventListener("click", () => { form.text.value = text; });
        candidates.append(choice);
      });
      form.text.value = button.textContent;
      panel.hidden = false;
      select("word", button.dataset.word);
      form.text.focus();
    });
  });
  const close = document.getElementById("panel-close");
  if (close) close.addEventListener("click", () => { panel.hidden = true; });
  document.querySelectorAll("tr.figure").forEach(row => {
    row.addEventListener("click", () => {
      select("figure", row.dataset.figure);
      const box = document.querySelector(`.figure-box[data-figure="${row.dataset.figure}"]`);
      if (box) box.scrollIntoView({block: "center", behavior: "smooth"});
    });
  });
})();
