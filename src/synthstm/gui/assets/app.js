// synthstm gui: the form is built from GET /api/schema; renders and datasets run as jobs.
"use strict";

const $ = (id) => document.getElementById(id);
let schema = null;        // {groups, parameters}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = { error: `HTTP ${response.status}` }; }
  if (!response.ok) {
    const err = new Error(data && data.error ? data.error : `HTTP ${response.status}`);
    err.body = data || {};
    throw err;
  }
  return data;
}

function say(text, ok) {
  $("message").textContent = text;
  $("message").className = ok ? "ok" : "";
}

// ---- the form ------------------------------------------------------------------------------

function modesOf(p) {
  if (p.kind === "number") return ["constant", "uniform", "loguniform", "normal", "choice"];
  return ["constant", "choice"];
}

function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children || []) e.appendChild(c);
  return e;
}

function constantInput(p, id) {
  if (p.kind === "text" && p.allowed.length) {
    return el("select", { id }, p.allowed.map((a) => el("option", { value: a, text: a })));
  }
  if (p.kind === "flag") {
    return el("select", { id }, ["true", "false"].map((a) => el("option", { value: a, text: a })));
  }
  if (p.kind === "text") return el("input", { id, type: "text" });
  const attrs = { id, type: "number", step: "any" };
  if (p.min !== undefined) { attrs.min = p.min; attrs.max = p.max; }
  return el("input", attrs);
}

function buildForm() {
  const form = $("form");
  form.textContent = "";
  const sets = {};
  for (const g of schema.groups) {
    sets[g] = el("fieldset", { id: `group-${g}` }, [el("legend", { text: g })]);
    form.appendChild(sets[g]);
  }
  for (const p of schema.parameters) {
    const range = p.min !== undefined ? ` — allowed [${p.min}, ${p.max}]` : (p.allowed.length ? ` — one of ${p.allowed.join(", ")}` : "");
    const name = el("span", { class: "name", title: `${p.help}${p.unit ? ` (${p.unit})` : ""}${range}` }, [
      document.createTextNode(p.key), el("span", { class: "unit", text: p.unit ? ` ${p.unit}` : "" })]);
    const mode = el("select", { id: `p-${p.key}-mode`, "aria-label": `${p.key} mode` },
      modesOf(p).map((m) => el("option", { value: m, text: m })));
    const values = el("span", { class: "values", id: `p-${p.key}-values` });
    const row = el("div", { class: "param", id: `row-${p.key}` },
      [name, mode, values, el("span", { class: "err", id: `err-${p.key}` })]);
    mode.addEventListener("change", () => { fillValues(p, modeDefault(p, mode.value)); });
    sets[p.group].appendChild(row);
  }
}

// A starting value for a mode switched to by hand.
function modeDefault(p, mode) {
  const current = readValue(p);
  const base = typeof current === "object" ? firstNumber(current) : current;
  if (mode === "constant") return base;
  if (mode === "choice") return { choice: [base] };
  const x = typeof base === "number" ? base : (p.min !== undefined ? p.min : 0);
  if (mode === "normal") return { normal: [x, 0] };
  if (mode === "loguniform") return { loguniform: [x > 0 ? x : 1, x > 0 ? x : 1] };
  return { uniform: [x, x] };
}

function firstNumber(v) {
  for (const k of ["uniform", "loguniform", "normal", "choice"]) if (v[k]) return v[k][0];
  return 0;
}

function fillValues(p, value) {
  const values = $(`p-${p.key}-values`);
  values.textContent = "";
  const mode = $(`p-${p.key}-mode`);
  let kind = "constant";
  if (value !== null && typeof value === "object") {
    kind = ["uniform", "loguniform", "normal", "choice"].find((k) => k in value) || "constant";
  }
  mode.value = kind;
  if (kind === "constant") {
    const input = constantInput(p, `p-${p.key}-a`);
    input.value = String(value);
    values.appendChild(input);
  } else if (kind === "choice") {
    const input = el("input", { id: `p-${p.key}-a`, type: "text", class: "wide", title: "comma-separated values" });
    input.value = value.choice.map((x) => String(x)).join(", ");
    values.appendChild(input);
  } else {
    const names = kind === "normal" ? ["mean", "std"] : ["min", "max"];
    for (let i = 0; i < 2; ++i) {
      const input = el("input", { id: `p-${p.key}-${i ? "b" : "a"}`, type: "number", step: "any", title: names[i], placeholder: names[i] });
      input.value = String(value[kind][i]);
      values.appendChild(input);
    }
    if (p.signed) {
      const sign = el("input", { id: `p-${p.key}-sign`, type: "checkbox" });
      sign.checked = !!value.random_sign;
      values.appendChild(el("label", { title: "flip the sign of the draw with probability 1/2" }, [sign, document.createTextNode("± sign")]));
    }
  }
}

function parseScalar(p, text) {
  const t = String(text).trim();
  if (p.kind === "flag") return t === "true" ? true : (t === "false" ? false : t);
  if (p.kind === "text") return t;
  return t === "" || isNaN(Number(t)) ? t : Number(t);
}

function readValue(p) {
  const mode = $(`p-${p.key}-mode`).value;
  const a = $(`p-${p.key}-a`);
  if (!a) return null;
  if (mode === "constant") return parseScalar(p, a.value);
  if (mode === "choice") return { choice: a.value.split(",").filter((s) => s.trim() !== "").map((s) => parseScalar(p, s)) };
  const v = { [mode]: [parseScalar(p, a.value), parseScalar(p, $(`p-${p.key}-b`).value)] };
  const sign = $(`p-${p.key}-sign`);
  if (sign && sign.checked) v.random_sign = true;
  return v;
}

function readConfig() {
  const config = {};
  for (const p of schema.parameters) config[p.key] = readValue(p);
  return config;
}

function setConfig(config) {
  for (const p of schema.parameters) fillValues(p, p.key in config ? config[p.key] : p.default);
  clearErrors();
}

function clearErrors() {
  for (const p of schema.parameters) {
    $(`err-${p.key}`).textContent = "";
    $(`row-${p.key}`).classList.remove("bad");
  }
}

function showError(err) {
  clearErrors();
  const body = err.body || {};
  const errors = body.errors || {};
  if (body.key && !errors[body.key]) errors[body.key] = body.error;
  let shown = false;
  for (const [key, message] of Object.entries(errors)) {
    if (!$(`err-${key}`)) continue;
    $(`err-${key}`).textContent = message;
    $(`row-${key}`).classList.add("bad");
    if (!shown) $(`row-${key}`).scrollIntoView({ block: "center" });
    shown = true;
  }
  say(err.message);
}

// ---- jobs -----------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits for a job; onProgress(status) on every poll; null when it was cancelled here.
async function waitFor(id, isCurrent, onProgress) {
  for (;;) {
    if (!isCurrent()) return null;
    const status = await api("GET", `/api/jobs/${id}`);
    if (!isCurrent()) return null;
    onProgress(status);
    if (status.state === "done") return status.result;
    if (status.state === "failed") { const e = new Error(status.error.error); e.body = status.error; throw e; }
    if (status.state === "cancelled") return null;
    await sleep(150);
  }
}

// A job with its own buttons and progress bar; only the latest job of each kind is waited for.
const jobs = {
  render: { id: null, start: "render", cancel: "cancel", bar: "progress", text: "progress-text" },
  dataset: { id: null, start: "generate", cancel: "generate-cancel", bar: "generate-progress", text: "generate-text" },
};

function setRunning(ui, running) {
  $(ui.start).disabled = running;
  $(ui.cancel).disabled = !running;
}

// Submits a job and waits for it; returns its result, or null when it failed or was cancelled.
async function runJob(ui, body) {
  clearErrors();
  let id;
  try { id = (await api("POST", "/api/jobs", body)).id; } catch (err) { showError(err); return null; }
  ui.id = id;
  setRunning(ui, true);
  let result = null;
  try {
    result = await waitFor(id, () => ui.id === id, (s) => {
      $(ui.bar).value = s.progress;
      $(ui.text).textContent = `${Math.round(100 * s.progress)} % ${s.message}`;
    });
  } catch (err) { showError(err); }
  if (ui.id === id) {
    ui.id = null;
    setRunning(ui, false);
  }
  return result;
}

async function cancelJob(ui, text) {
  const id = ui.id;
  if (!id) return;
  ui.id = null;  // stop waiting at once; the result is dropped
  setRunning(ui, false);
  $(ui.bar).value = 0;
  $(ui.text).textContent = text;
  try { await api("DELETE", `/api/jobs/${id}`); } catch (e) { /* already gone */ }
}

async function render() {
  say("rendering…", true);
  const result = await runJob(jobs.render, { kind: "render", config: readConfig(), seed: Number($("seed").value), index: Number($("index").value) });
  if (result) {
    showResult(result);
    say(`rendered sample ${result.index} of seed ${result.seed}`, true);
  } else if ($("message").textContent === "rendering…") {
    say("");
  }
}

async function cancelRender() {
  if (jobs.render.id) say("render cancelled", true);
  await cancelJob(jobs.render, "cancelled");
}

function overlaySvg(result) {
  const n = result.pixels;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `-0.5 -0.5 ${n} ${n}`);
  svg.setAttribute("class", "overlay");
  for (const d of result.defects) {
    if (!d.in_image) continue;
    const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
    c.setAttribute("cx", d.col_px);
    c.setAttribute("cy", d.row_px);
    c.setAttribute("r", Math.max(0.6, n / 40));
    c.setAttribute("fill", "none");
    c.setAttribute("stroke", d.class.includes("vacancy") ? "#ff3030" : "#30c0ff");
    c.setAttribute("stroke-width", Math.max(0.15, n / 160));
    const t = document.createElementNS("http://www.w3.org/2000/svg", "title");
    t.textContent = d.class;
    c.appendChild(t);
    svg.appendChild(c);
  }
  svg.style.display = $("overlay").checked ? "" : "none";
  return svg;
}

function showResult(result) {
  const results = $("results");
  results.textContent = "";
  for (const image of result.images) {
    const img = el("img", { src: image.png, alt: image.name, "data-name": image.name });
    const pic = el("div", { class: "pic" }, [img]);
    if (image.name === "z_recorded_forward" || image.name === "constant_current_height") pic.appendChild(overlaySvg(result));
    const range = `${image.min.toPrecision(3)} … ${image.max.toPrecision(3)}${image.unit ? " " + image.unit : ""}`;
    results.appendChild(el("figure", { id: `fig-${image.name}` }, [pic,
      el("figcaption", {}, [el("b", { text: image.name }), el("br"), document.createTextNode(`${image.caption} (${range})`)])]));
  }
  const inside = result.defects.filter((d) => d.in_image).length;
  $("summary").textContent = `${result.pixels} × ${result.pixels} px, ${result.size_nm.toFixed(2)} nm, ` +
    `${inside} defects in the image (${result.defects.length} placed, with the margin)`;
  const extras = $("extras");
  extras.textContent = "";
  extras.appendChild(el("h3", { text: "z-piezo hysteresis (drawn Bouc–Wen parameters)" }));
  extras.appendChild(el("img", { id: "hysteresis", src: result.hysteresis_png, alt: "hysteresis loop" }));
  extras.appendChild(el("h3", { text: "sample LDOS (pristine lattice) and the bias window" }));
  extras.appendChild(el("img", { id: "sample-ldos", src: result.sample_ldos_png, alt: "sample LDOS" }));
  extras.appendChild(el("h3", { text: `tip ${result.tip.name}: ${result.tip.atoms} atoms, ${result.tip.apex_atoms} apex atoms (as built, before rotation and tilt)` }));
  extras.appendChild(el("img", { id: "tip-apex", src: result.tip.apex_png, alt: "tip apex" }));
  extras.appendChild(el("img", { id: "tip-ldos", src: result.tip.ldos_png, alt: "tip apex LDOS" }));
  extras.appendChild(el("h3", { text: "drawn parameters" }));
  const rows = Object.entries(result.parameters).map(([k, v]) =>
    el("tr", {}, [el("td", { text: k }), el("td", { text: typeof v.value === "number" ? Number(v.value.toPrecision(6)).toString() : String(v.value) }), el("td", { text: v.unit })]));
  for (const [k, v] of Object.entries(result.derived)) {
    rows.push(el("tr", {}, [el("td", { text: k }), el("td", { text: typeof v === "number" ? Number(v.toPrecision(6)).toString() : String(v) }), el("td", { text: "derived" })]));
  }
  extras.appendChild(el("table", { class: "params", id: "drawn" }, rows));
}

// ---- save, load, upload, download -----------------------------------------------------------

async function refreshSaved(select) {
  const names = await api("GET", "/api/params");
  $("saved").textContent = "";
  for (const n of names) $("saved").appendChild(el("option", { value: n, text: n }));
  if (select) $("saved").value = select;
}

async function save() {
  const name = $("save-name").value.trim();
  clearErrors();
  try {
    await api("PUT", `/api/params/${encodeURIComponent(name)}`, readConfig());
    await refreshSaved(name);
    say(`saved ${name}`, true);
  } catch (err) { showError(err); }
}

async function load() {
  const name = $("saved").value;
  if (!name) { say("nothing saved yet"); return; }
  try {
    setConfig(await api("GET", `/api/params/${encodeURIComponent(name)}`));
    $("save-name").value = name;
    say(`loaded ${name}`, true);
  } catch (err) { showError(err); }
}

function download() {
  const blob = new Blob([JSON.stringify(readConfig(), null, 2) + "\n"], { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `${$("save-name").value || "params"}.json` });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

async function upload(event) {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const config = JSON.parse(await file.text());
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error("not a JSON object");
    setConfig(config);
    say(`read ${file.name}`, true);
  } catch (err) { say(`cannot read ${file.name}: ${err.message}`); }
  event.target.value = "";
}

// ---- dataset --------------------------------------------------------------------------------

async function generate() {
  const result = await runJob(jobs.dataset, { kind: "dataset", config: readConfig(), seed: Number($("seed").value),
    samples: Number($("dataset-samples").value), name: $("dataset-name").value.trim() });
  if (result) say(`wrote ${result.samples} samples to ${result.path}`, true);
}

async function cancelGenerate() {
  await cancelJob(jobs.dataset, "cancelled (run it again to complete the dataset)");
}

// ---- start ----------------------------------------------------------------------------------

async function start() {
  schema = await api("GET", "/api/schema");
  buildForm();
  const presets = await api("GET", "/api/presets");
  for (const n of presets) $("preset").appendChild(el("option", { value: n, text: n }));
  const first = presets.includes("wse2-main") ? "wse2-main" : presets[0];
  $("preset").value = first;
  setConfig(first ? await api("GET", `/api/presets/${first}`) : {});
  await refreshSaved();
  $("load-preset").addEventListener("click", async () => {
    try { setConfig(await api("GET", `/api/presets/${$("preset").value}`)); say(`preset ${$("preset").value}`, true); }
    catch (err) { showError(err); }
  });
  $("new-seed").addEventListener("click", () => { $("seed").value = String(Math.floor(Math.random() * 2147483647)); });
  $("render").addEventListener("click", render);
  $("cancel").addEventListener("click", cancelRender);
  $("save").addEventListener("click", save);
  $("load").addEventListener("click", load);
  $("download").addEventListener("click", download);
  $("upload").addEventListener("change", upload);
  $("generate").addEventListener("click", generate);
  $("generate-cancel").addEventListener("click", cancelGenerate);
  $("overlay").addEventListener("change", () => {
    for (const s of document.querySelectorAll("svg.overlay")) s.style.display = $("overlay").checked ? "" : "none";
  });
  document.body.dataset.ready = "1";
}

start().catch((err) => say(`cannot start: ${err.message}`));
