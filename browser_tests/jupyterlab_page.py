"""Drive one notebook in JupyterLab the way a student would, and look at what is shown.

JupyterLab runs with `expose_app_in_browser`, so `window.jupyterapp` gives the notebook's
model (cells, outputs, tags, the kernel); what is *shown* is read from the DOM: a chart
counts as drawn only if its Vega view put marks in an SVG or coloured pixels on a canvas.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from accessibility import AUDIT_SCRIPT, own_selectors

# Taller notebooks are cut off at the bottom of their screenshot.
MAX_SCREENSHOT_HEIGHT = 40_000
# The window of the "view" screenshots (the README shows two of them).
VIEW_SIZE = {"width": 1280, "height": 860}

# Installed in every page before JupyterLab loads (context.add_init_script).
PAGE_HELPERS = r"""
window.__bt = (() => {
  // Pixels that are neither transparent nor (almost) white: background is not a drawing.
  function inkedPixels(canvas) {
    if (!canvas.width || !canvas.height) return 0;
    let data;
    try {
      data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    } catch (e) {
      return -1;  // unreadable (tainted): size alone has to do
    }
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245)) n++;
    }
    return n;
  }

  // What one `.vega-embed` element shows.
  function chartState(embed) {
    const svg = embed.querySelector('svg.marks') || embed.querySelector('svg');
    if (svg) {
      let marks = 0;
      svg.querySelectorAll('g[class*="mark-"]').forEach((g) => {
        marks += g.querySelectorAll('path, rect, line, circle, text, image').length;
      });
      return {kind: 'svg', marks, drawn: marks > 0};
    }
    const canvas = embed.querySelector('canvas');
    if (canvas) {
      const ink = inkedPixels(canvas);
      const sized = canvas.width > 0 && canvas.height > 0;
      return {kind: 'canvas', width: canvas.width, height: canvas.height, marks: ink,
              drawn: sized && (ink > 100 || ink === -1)};
    }
    return {kind: 'none', marks: 0, drawn: false, text: (embed.innerText || '').slice(0, 200)};
  }

  function panel() { return window.__btPanel; }

  function findPanel(path) {
    const app = window.jupyterapp;
    if (!app) return false;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.sessionContext) {
        window.__btPanel = w;
        const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
        return w.context.isReady && !!kernel && kernel.status === 'idle'
          && w.content.widgets.length > 0;
      }
    }
    return false;
  }

  function isBlank(cell) { return cell.model.sharedModel.getSource().trim() === ''; }

  function plainText(output) {
    const text = output.data && output.data['text/plain'];
    return Array.isArray(text) ? text.join('') : String(text || '');
  }

  // An output meant to show a chart: ours (text summary "<Altair ..."), or any other way of
  // showing Altair/Vega (mimetype, HTML with vegaEmbed, a JupyterChart widget).
  function isChart(output) {
    const data = output.data || {};
    const text = plainText(output);
    const html = Array.isArray(data['text/html']) ? data['text/html'].join('')
      : String(data['text/html'] || '');
    return text.startsWith('<Altair ') || text.startsWith('JupyterChart(')
      || Object.keys(data).some((key) => key.startsWith('application/vnd.vega'))
      || html.includes('vegaEmbed');
  }

  // The chart's description as our text summary carries it ("Description: ..." line).
  function storedDescription(output) {
    const line = plainText(output).split('\n').find((l) => l.startsWith('Description: '));
    return line ? line.slice('Description: '.length) : null;
  }

  // What a screen reader is given for a drawn chart: Vega puts the spec's description in an
  // aria-label on the view's container, SVG or canvas.
  function ariaLabels(embed) {
    const nodes = [embed, ...embed.querySelectorAll('[aria-label]')];
    return nodes.map((n) => n.getAttribute('aria-label')).filter((t) => t);
  }

  // Run all, like a student; after a cell that stopped the run (an exercise stub that
  // raises), carry on from the next cell that never ran, so that every cell gets its turn.
  async function runAll(timeoutMs) {
    const app = window.jupyterapp;
    const nb = panel();
    app.shell.activateById(nb.id);
    const deadline = Date.now() + timeoutMs;
    const timed = (promise) => Promise.race([promise, new Promise((_, reject) => setTimeout(
      () => reject(new Error(`cells still running after ${timeoutMs / 1000} s`)),
      Math.max(0, deadline - Date.now())))]);
    await timed(app.commands.execute('notebook:run-all-cells'));
    const restarted = new Set();
    for (;;) {
      const cells = nb.content.widgets;
      const next = cells.findIndex((c) => c.model.type === 'code' && !isBlank(c)
        && c.model.executionCount === null);
      if (next < 0 || restarted.has(next)) break;
      restarted.add(next);
      nb.content.activeCellIndex = next;
      await timed(app.commands.execute('notebook:run-all-below'));
    }
    const kernel = nb.sessionContext.session.kernel;
    while (kernel.status !== 'idle' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return restarted.size;
  }

  function cells() {
    return panel().content.widgets.map((c, index) => {
      if (c.model.type !== 'code') return null;
      const outputs = c.model.outputs.toJSON();
      return {
        index, id: c.model.id, tags: c.model.getMetadata('tags') || [],
        executionCount: c.model.executionCount, blank: isBlank(c),
        source: c.model.sharedModel.getSource().split('\n')[0].slice(0, 80),
        errors: outputs.filter((o) => o.output_type === 'error')
          .map((o) => `${o.ename}: ${o.evalue}`),
        // Per output: is it an Altair chart (our text summary), and what does it show?
        charts: outputs.map((o, k) => {
          if (!isChart(o)) return null;
          const child = c.outputArea.widgets[k];
          const embed = child && child.node.querySelector('.vega-embed');
          return {output: k, summary: plainText(o).split('\n')[0].slice(0, 100),
                  description: storedDescription(o), shownLabels: embed ? ariaLabels(embed) : [],
                  state: embed ? chartState(embed) : {kind: 'none', drawn: false,
                    text: child ? (child.node.innerText || '').slice(0, 200) : ''}};
        }).filter((x) => x !== null),
      };
    }).filter((x) => x !== null);
  }

  function charts() {
    return [...panel().content.node.querySelectorAll('.vega-embed')].map(chartState);
  }

  // At least `expected` charts, every one drawn, and every chart output holding one.
  function chartsDrawn(expected) {
    const all = charts();
    return all.length >= expected && all.every((s) => s.drawn)
      && cells().every((c) => c.charts.every((chart) => chart.state.drawn));
  }

  // Text in an output that means something failed to show.
  const SHOW_FAILURE = new RegExp(['Error displaying widget', 'Failed to load model class',
    'Error rendering output', 'Error loading script', 'Javascript Error'].join('|'));
  const TRACEBACK = /Traceback \(most recent call last\)/;

  function problems() {
    const found = [];
    // Failures to show anywhere; tracebacks only inside widget outputs (a widget callback
    // that raised): a cell's own error is judged from the model, where its tags are known.
    panel().content.node.querySelectorAll('.jp-OutputArea-output').forEach((el) => {
      const text = el.innerText || '';
      const inWidget = !!el.closest('.widget-output');
      if (SHOW_FAILURE.test(text) || (inWidget && TRACEBACK.test(text))) {
        found.push(text.slice(0, 400));
      }
    });
    return [...new Set(found)];
  }

  // A fingerprint of what the outputs show, leaving out the controls themselves.
  function hash(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0).toString(16);
  }
  function shown() {
    const root = panel().content.node;
    const parts = [];
    root.querySelectorAll('.vega-embed').forEach((embed) => {
      const svg = embed.querySelector('svg');
      const canvas = embed.querySelector('canvas');
      parts.push(svg ? svg.outerHTML : canvas ? canvas.toDataURL() : embed.innerText);
    });
    root.querySelectorAll('.widget-output').forEach((el) => parts.push(el.innerText));
    root.querySelectorAll('.widget-html-content').forEach((el) => parts.push(el.innerHTML));
    return hash(parts.join('\u0000'));
  }

  // Controls a student can change, in document order; each gets a data-bt-control number.
  const CONTROLS = [
    ['select', '.widget-dropdown select, .widget-select select'],
    ['radio', '.widget-radio-box'],
    ['checkbox', '.widget-checkbox input[type=checkbox]'],
    ['slider', '.widget-slider .noUi-handle'],
    ['toggle', '.widget-toggle-buttons'],
    ['text', '.widget-textarea textarea, .widget-text input[type=text]'],
    ['number', '.widget-text input[type=number]'],
    ['select', '.vega-bindings select'],
    ['range', '.vega-bindings input[type=range]'],
    ['radio', '.vega-bindings .vega-bind-radio'],
    ['checkbox', '.vega-bindings input[type=checkbox]'],
  ];
  function controls() {
    const root = panel().content.node;
    const found = [];
    for (const [kind, selector] of CONTROLS) {
      root.querySelectorAll(selector).forEach((el) => found.push([kind, el]));
    }
    found.sort((a, b) => (a[1].compareDocumentPosition(b[1])
      & Node.DOCUMENT_POSITION_FOLLOWING) ? -1 : 1);
    return found.map(([kind, el], i) => {
      el.setAttribute('data-bt-control', String(i));
      const label = el.closest('.widget-inline-hbox, .vega-bind, .jupyter-widgets');
      return {index: i, kind, label: ((label && label.innerText) || '').slice(0, 60)};
    });
  }

  function setRange(el) {
    const value = Number(el.value), max = Number(el.max), min = Number(el.min);
    el.value = String(value < max ? max : min);
    el.dispatchEvent(new Event('input', {bubbles: true}));
    el.dispatchEvent(new Event('change', {bubbles: true}));
  }

  function scroller() {
    const node = panel().content.node;
    return node.querySelector('.jp-WindowedPanel-outer') || node;
  }
  function notebookHeight() {
    if (!panel()) return null;  // JupyterLab never showed the notebook
    window.jupyterapp.shell.collapseLeft();
    const viewport = panel().content.node.querySelector('.jp-WindowedPanel-viewport');
    return Math.max(scroller().scrollHeight, viewport ? viewport.scrollHeight : 0);
  }
  function scrollToTop() { if (panel()) scroller().scrollTop = 0; }
  // Bring an element (a control, a cell) near the top of the window, a little prose above it.
  function scrollToElement(el) {
    el.scrollIntoView({block: 'start'});
    scroller().scrollTop = Math.max(0, scroller().scrollTop - 80);
  }
  function scrollToCell(index) {
    const cell = panel().content.widgets[index];
    if (cell) { panel().content.activeCellIndex = index; scrollToElement(cell.node); }
  }

  // Chart outputs whose chart is wider than the output's box (the box then scrolls sideways),
  // in the open notebook (or, on a page without one, in the whole page).
  function wideCharts() {
    const cells = panel() ? panel().content.widgets : [];
    const root = panel() ? panel().content.node : document;
    return [...root.querySelectorAll('.jp-OutputArea-output')]
      .filter((box) => box.querySelector('.vega-embed') && box.scrollWidth > box.clientWidth + 1)
      .map((box) => {
        const index = cells.findIndex((cell) => cell.node.contains(box));
        return {index, id: index >= 0 ? cells[index].model.id : null,
                width: box.scrollWidth, shown: box.clientWidth};
      });
  }

  return {findPanel, wideCharts, notebookHeight, scrollToTop, scrollToElement, scrollToCell,
          runAll, cells, charts, chartsDrawn, problems, shown, controls, setRange};
})();
"""


@dataclass
class Interaction:
    """What happened when the test changed the notebook's controls."""

    controls: list[dict] = field(default_factory=list)
    changed_by: dict | None = None
    tried: list[str] = field(default_factory=list)


class NotebookPage:
    """One notebook open in JupyterLab, in its own browser tab."""

    def __init__(self, context, lab, notebook: str):
        self.notebook = notebook
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.lab = lab

    def open(self, timeout_s: float = 120) -> None:
        """Load JupyterLab on the notebook and wait until its kernel is idle."""
        self.page.goto(self.lab.url(self.notebook), wait_until="domcontentloaded")
        self.page.wait_for_function(
            "path => window.__bt.findPanel(path)",
            arg=self.notebook,
            polling=250,
            timeout=timeout_s * 1000,
        )

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def run_all(self, timeout_s: float) -> int:
        """Run every cell; returns how often the run had to be resumed after an error."""
        return self.js("ms => window.__bt.runAll(ms)", timeout_s * 1000)

    def cells(self) -> list[dict]:
        return self.js("() => window.__bt.cells()")

    def charts(self) -> list[dict]:
        return self.js("() => window.__bt.charts()")

    def problems(self) -> list[str]:
        return self.js("() => window.__bt.problems()")

    def wait_for_charts(self, expected: int, timeout_s: float = 30) -> bool:
        """Wait until at least `expected` charts exist and every chart is drawn."""
        try:
            self.page.wait_for_function(
                "n => window.__bt.chartsDrawn(n)",
                arg=expected,
                polling=250,
                timeout=timeout_s * 1000,
            )
            return True
        except Exception:  # noqa: BLE001 - the caller reports what is (not) drawn
            return False

    def _wait_for_change(self, before: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(250)
            if self.js("() => window.__bt.shown()") != before:
                # Let a redraw that clears and refills an output settle, then check again.
                self.wait_for_charts(0, timeout_s=10)
                self.page.wait_for_timeout(300)
                return self.js("() => window.__bt.shown()") != before
        return False

    def _change(self, control: dict) -> str | None:
        """Change one control the way a user would; what was done (None: nothing to do)."""
        element = self.page.locator(f'[data-bt-control="{control["index"]}"]')
        element.scroll_into_view_if_needed()
        kind = control["kind"]
        if kind == "select":
            state = element.evaluate(
                "s => ({multiple: s.multiple, values: [...s.options].map(o => o.value),"
                " chosen: [...s.selectedOptions].map(o => o.value)})"
            )
            values, chosen = state["values"], state["chosen"]
            if state["multiple"]:  # keep just one option (all may be chosen at first)
                target = values[:1] if chosen != values[:1] else values[1:2]
            else:
                target = [v for v in values if v not in chosen][:1]
            if not target:
                return None
            element.select_option(value=target)
            return f"select {target}"
        if kind == "radio":
            choices = element.locator("input[type=radio]:not(:checked)")
            if not choices.count():
                return None
            choices.first.check()
            return "pick another radio button"
        if kind == "checkbox":
            element.click()
            return "toggle checkbox"
        if kind == "slider":
            element.focus()
            before = element.get_attribute("aria-valuenow")
            element.press("ArrowRight")
            if element.get_attribute("aria-valuenow") == before:
                element.press("ArrowLeft")
            return "move slider one step"
        if kind == "toggle":
            buttons = element.locator("button:not(.mod-active)")
            if not buttons.count():
                return None
            buttons.first.click()
            return "press another toggle button"
        if kind in ("text", "number"):
            value = element.input_value()
            if kind == "text":
                new = (
                    f"{value} Typed in the browser test." if value else "Typed in the browser test."
                )
            else:
                new = str(float(value or 0) + 1).removesuffix(".0")
            element.fill(new)
            element.evaluate("el => el.blur()")  # commits, as leaving the box does
            return f"type {new[-30:]!r}"
        if kind == "range":
            element.evaluate("el => window.__bt.setRange(el)")
            return "move range input to the other end"
        return f"unknown control kind {kind}"

    def change_widgets(self, settle_s: float = 15) -> Interaction:
        """Change the controls in order until one changes what the outputs show."""
        result = Interaction(controls=self.js("() => window.__bt.controls()"))
        for control in result.controls:
            before = self.js("() => window.__bt.shown()")
            action = self._change(control)
            result.tried.append(f"#{control['index']} {control['kind']}: {action or 'no choice'}")
            if action and self._wait_for_change(before, settle_s):
                result.changed_by = control | {"action": action}
                break
        return result

    def screenshot(self, path) -> None:
        """The whole notebook in one picture: grow the window to the notebook's height."""
        height = self.js("() => window.__bt.notebookHeight()") or 900
        height = min(int(height) + 150, MAX_SCREENSHOT_HEIGHT)
        self.page.set_viewport_size({"width": 1280, "height": height})
        self.page.wait_for_timeout(500)
        self.js("() => window.__bt.scrollToTop()")
        self.page.screenshot(path=str(path), full_page=True)

    def view_screenshot(self, path, control: int | None = None, cell: int | None = None) -> None:
        """One window's worth, as a student sees it: a control (the one that changed the
        outputs) or a cell near the top of the window, else the start of the notebook."""
        self.page.set_viewport_size(VIEW_SIZE)
        self.page.wait_for_timeout(300)
        if control is not None:
            self.page.locator(f'[data-bt-control="{control}"]').evaluate(
                "el => window.__bt.scrollToElement(el)")
        elif cell is not None:
            self.js("(index) => window.__bt.scrollToCell(index)", cell)
        else:
            self.js("() => window.__bt.scrollToTop()")
        self.wait_for_charts(0, timeout_s=10)  # cells scrolled into view draw again
        self.page.wait_for_timeout(800)
        self.page.screenshot(path=str(path))

    def audit_accessibility(self, axe_script) -> list[dict]:
        """Run axe-core on the open notebook; its violations, each element sorted by place.

        `axe_script` is axe.min.js from the npm registry (installed by `make test-browser`),
        added to the page from the local file: nothing is downloaded. The places (course,
        library outputs, JupyterLab's interface) are explained in accessibility.py.
        """
        self.page.add_script_tag(path=str(axe_script))
        return self.js(AUDIT_SCRIPT, {"root": "notebook", "frame": "jupyterlab",
                                      "own": own_selectors()})

    def wide_charts(self) -> list[dict]:
        """Chart outputs wider than the notebook shows: a student must scroll to see them."""
        return self.js("() => window.__bt.wideCharts()")

    def close(self) -> None:
        """Shut the notebook's kernel down (nothing is saved) and close the tab."""
        try:
            self.js("() => window.__btPanel && window.__btPanel.sessionContext.shutdown()")
        except Exception:  # noqa: BLE001 - the server stops at the end of the session anyway
            pass
        self.page.close()


def wait_for(condition, timeout_s: float = 30.0):
    """condition()'s first truthy value, polled every 0.25 s (its last value after timeout_s)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    return condition()
