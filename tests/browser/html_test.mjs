// html_test.mjs: the page of `vmspace replay --html` in a real browser
// (headless Chromium driven by playwright-core). For a recorded log it
// steps the time control (keyboard, buttons, the slider) to every call
// after which the log's next line is a new one, picks each live process in
// the tree, and checks that the VMAs the page drew are the maps that
// `vmspace replay --at LINE` prints for that process after that line: the
// same lines in the same order. It also checks that hovering a VMA shows its
// exact maps line. Run by tests/browser/run.sh.
//
// usage: node html_test.mjs VMSPACE PAGE.html -- REPLAY-ARGS...
//        node html_test.mjs --screenshot PNG PAGE.html STEP SPACE
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage"];

async function open(page) {
  const profile = mkdtempSync(join(tmpdir(), "vmspace-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true, args: FLAGS, viewport: { width: 1500, height: 950 },
  });
  const tab = ctx.pages()[0] || (await ctx.newPage());
  const errors = [];
  tab.on("pageerror", (e) => errors.push(String(e)));
  tab.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await tab.goto("file://" + resolve(page));
  await tab.waitForFunction(() => window.vmspace && window.vmspace.drawn());
  return { ctx, tab, errors, done: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// "== pid N (prog) ==" sections of `vmspace replay --at LINE`: pid -> lines.
function mapsAt(vmspace, args, line) {
  const out = execFileSync(vmspace, ["replay", ...args, "--at", String(line)], { encoding: "latin1", maxBuffer: 1 << 26 });
  const maps = new Map();
  let cur = null;
  for (const l of out.split("\n")) {
    const m = /^== pid (\d+)\b.* ==$/.exec(l);
    if (m) { cur = []; maps.set(+m[1], cur); continue; }
    if (/^(== |replayed |unsupported:)/.test(l)) { cur = null; continue; }
    if (cur && l.length) cur.push(l);
  }
  return maps;
}

async function screenshot(png, page, step, space) {
  const b = await open(page);
  await b.tab.evaluate(([k, s]) => { window.vmspace.go(k); if (s >= 0) window.vmspace.select(s); }, [step, space]);
  await b.tab.mouse.move(+(process.env.SHOT_X || 400), +(process.env.SHOT_Y || 330));
  await b.tab.screenshot({ path: png });
  await b.done();
}

async function check(vmspace, page, args) {
  const b = await open(page), tab = b.tab;
  const fails = [];
  const fail = (m) => { fails.push(m); console.log("    " + m); };
  const info = await tab.evaluate(() => ({
    n: window.vmspace.steps,
    spaces: window.vmspace.spaces.map((s) => ({ pid: s.pid, from: s.from, to: s.to, modelled: !s.why })),
    steps: JSON.parse(document.getElementById("vmspace-data").textContent).steps.map((s) => [s[0], s[1]]),
  }));
  // the calls after which the replay reads a new line: there --at shows
  // the same moment as the page
  const todo = [];
  for (let k = 0; k < info.n; k++)
    if (k === info.n - 1 || info.steps[k + 1][1] !== info.steps[k][1]) todo.push(k);
  await tab.keyboard.press("Home");
  let at = 0, compared = 0, moves = 0, expected = 0;
  for (const k of todo) {
    // the time control, three ways in turn
    if (moves % 3 === 0) {
      while (at < k) { await tab.keyboard.press("ArrowRight"); at++; }
    } else if (moves % 3 === 1) {
      while (at < k) { await tab.click("#next"); at++; }
    } else {
      await tab.evaluate((v) => { const s = document.getElementById("slider"); s.value = v; s.dispatchEvent(new Event("input")); }, k);
      at = k;
    }
    moves++;
    const shown = await tab.evaluate(() => window.vmspace.step());
    if (shown !== k) { fail(`step ${k}: the time control shows step ${shown}`); continue; }
    const after = info.steps[k][1];
    const want = mapsAt(vmspace, args, after);
    const live = info.spaces.map((s, i) => i).filter((i) => {
      const s = info.spaces[i]; return s.from <= k && (s.to < 0 || s.to > k);
    });
    // the processes: the modelled ones live at the step, as --at has them
    const livePids = live.filter((i) => info.spaces[i].modelled).map((i) => info.spaces[i].pid).sort();
    if (JSON.stringify(livePids) !== JSON.stringify([...want.keys()].sort()))
      fail(`after line ${after}: the page has processes ${livePids}, --at prints ${[...want.keys()]}`);
    expected += want.size;
    for (const si of live) {
      const pid = info.spaces[si].pid;
      if (!want.has(pid)) continue;
      await tab.click(`#tree button[data-space="${si}"]`);
      const d = await tab.evaluate(() => window.vmspace.drawn());
      const exp = want.get(pid);
      const count = await tab.getAttribute("#map", "data-count");
      if (d.step !== k || d.space !== si) { fail(`step ${k}: drew step ${d.step} space ${d.space}`); continue; }
      if (+count !== d.lines.length) fail(`step ${k}: data-count ${count} but ${d.lines.length} lines`);
      if (JSON.stringify(d.lines) !== JSON.stringify(exp)) {
        let i = 0; while (i < exp.length && d.lines[i] === exp[i]) i++;
        fail(`after line ${after}, pid ${pid}: drawn ${d.lines.length} VMAs, --at has ${exp.length}; first difference at ${i}:\n      drawn: ${d.lines[i]}\n      --at:  ${exp[i]}`);
      }
      compared++;
    }
  }
  // hover: the exact line of the VMA under the pointer
  await tab.keyboard.press("End");
  const box = await tab.locator("#map").boundingBox();
  const firstRow = await tab.evaluate(() => window.vmspace.drawn().lines[0]);
  await tab.mouse.move(box.x + 40, box.y + 10);
  const tip = await tab.evaluate(() => { const t = document.getElementById("tip"); return t.style.display === "block" ? t.textContent : ""; });
  if (firstRow && tip.split("\n")[0] !== firstRow) fail(`hover shows "${tip.split("\n")[0]}", not "${firstRow}"`);
  if (b.errors.length) fail("page errors: " + b.errors.join("; "));
  await b.done();
  if (compared !== expected || compared < todo.length / 2) fail(`${compared} comparisons, ${expected} expected, for ${todo.length} calls`);
  console.log(`    ${todo.length} calls stepped to, ${compared} process maps compared with --at`);
  return fails.length === 0;
}

// A page of 100,000 calls: how long it takes to open, and to show a call
// anywhere in the log (the slider) and the next one (a key).
async function perf(page, maxLoad, maxStep) {
  const t0 = Date.now();
  const b = await open(page), tab = b.tab;
  const load = (Date.now() - t0) / 1000;
  const r = await tab.evaluate(async () => {
    const n = window.vmspace.steps, times = [];
    let x = 12345;
    for (let i = 0; i < 40; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const k = x % n, t = performance.now();
      window.vmspace.go(k);
      times.push(performance.now() - t);
    }
    const t = performance.now();
    for (let i = 0; i < 40; i++) window.vmspace.go(window.vmspace.step() + 1);
    return { n, jump: Math.max(...times), next: (performance.now() - t) / 40, count: window.vmspace.drawn().lines.length, timing: window.vmspace.timing(), load: window.vmspace.loadTiming };
  });
  await b.done();
  console.log(`    ${r.n} calls: opened in ${load.toFixed(1)} s (the script: parse ${(r.load.parse / 1000).toFixed(2)} s, all ${(r.load.total / 1000).toFixed(2)} s); a call anywhere drawn in at most ${r.jump.toFixed(0)} ms, the next in ${r.next.toFixed(1)} ms on average (${r.count} VMAs drawn; the last: ${JSON.stringify(r.timing, (k, v) => typeof v === "number" ? +v.toFixed(1) : v)} ms)`);
  return r.n >= 100000 && load <= maxLoad && r.jump <= maxStep && b.errors.length === 0;
}

const argv = process.argv.slice(2);
if (argv[0] === "--perf") {
  process.exit((await perf(argv[1], +argv[2], +argv[3])) ? 0 : 1);
} else if (argv[0] === "--screenshot") {
  await screenshot(argv[1], argv[2], +argv[3], argv[4] === undefined ? -1 : +argv[4]);
} else {
  const sep = argv.indexOf("--");
  const ok = await check(argv[0], argv[1], argv.slice(sep + 1));
  process.exit(ok ? 0 : 1);
}
