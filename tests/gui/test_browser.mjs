// synthstm gui in a real browser (Debian's chromium driven by playwright-core): change a
// parameter, render, see the images change, save, reload, load, see the values back, try an
// invalid value and see the message next to its field. Screenshots are kept as artifacts:
// SCREENSHOT_PNG after two renders, and beside it *-error.png with the refused value.
// Usage: node test_browser.mjs SYNTHSTM_BINARY WORK_DIR SCREENSHOT_PNG [CHROMIUM]
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [binary, work, screenshot, browserPath = "/usr/bin/chromium"] = process.argv.slice(2);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

let failures = 0;
function check(condition, what) {
  if (!condition) {
    failures += 1;
    console.log(`FAIL: ${what}`);
  }
}

const server = spawn(binary, ["gui", "--port", "0", "--params-dir", `${work}/params`], { stdio: ["ignore", "pipe", "inherit"] });
const firstLine = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once("line", resolve);
  server.once("exit", (code) => reject(new Error(`synthstm gui exited ${code}`)));
});
const url = firstLine.match(/http:\/\/[^/ ]+\//)[0];

const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => check(false, `page error: ${e.message}`));
  page.setDefaultTimeout(30000);

  const ready = async () => { await page.goto(url); await page.waitForSelector("body[data-ready='1']"); };
  // Sets a parameter to a constant (switching its mode first).
  const setConstant = async (key, value) => {
    await page.selectOption(`#p-${key}-mode`, "constant");
    const input = page.locator(`#p-${key}-a`);
    if (await input.evaluate((e) => e.tagName === "SELECT")) await input.selectOption(String(value));
    else await input.fill(String(value));
  };
  const render = async () => {
    await page.click("#render");
    await page.waitForFunction(() => !document.getElementById("render").disabled && document.getElementById("message").textContent !== "rendering…");
    return page.$$eval("#results img", (imgs) => Object.fromEntries(imgs.map((i) => [i.dataset.name, i.src])));
  };

  await ready();
  check((await page.locator("#form fieldset").count()) === 6, "six parameter groups");
  check((await page.locator("#p-bias_V-sign").count()) === 1, "random sign offered for bias_V");
  check((await page.getAttribute("#row-bias_V .name", "title")).includes("sample bias"), "help text as tooltip");
  await setConstant("resolution_px", 16);
  await setConstant("size_nm", 1.5);
  await setConstant("tip", "w111-sharp");
  await setConstant("lattice_green_kgrid", 48);
  await page.fill("#seed", "7");
  const first = await render();
  check(first.z_recorded_forward && first.z_recorded_forward.startsWith("data:image/png"), "a topography image");
  for (const name of ["constant_height_current", "constant_current_height", "z_recorded_backward", "z_true_forward", "current_forward", "lattice", "defects"])
    check(name in first, `image ${name} shown`);
  check((await page.locator("#hysteresis").count()) === 1, "hysteresis loop shown");
  check((await page.locator("#tip-apex").count()) === 1 && (await page.locator("#tip-ldos").count()) === 1, "tip apex and LDOS shown");
  check((await page.locator("#sample-ldos").count()) === 1, "sample LDOS shown");
  check((await page.locator("#drawn tr").count()) > 40, "drawn parameters shown");

  // The defect overlay follows its toggle.
  const overlay = page.locator("#fig-z_recorded_forward svg.overlay");
  check((await overlay.count()) === 1, "defect overlay on the topography");
  await page.uncheck("#overlay");
  check(!(await overlay.isVisible()), "overlay hidden when unticked");
  await page.check("#overlay");

  // Another parameter, other images.
  await setConstant("tip_height_nm", 0.45);
  const second = await render();
  check(second.z_recorded_forward !== first.z_recorded_forward, "images changed with the parameter");
  check(second.current_forward !== first.current_forward, "current changed with the parameter");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot });

  // Save, reload, load: the values come back.
  await page.fill("#save-name", "browser-test");
  await page.click("#save");
  await page.waitForFunction(() => document.getElementById("message").textContent === "saved browser-test");
  await ready();
  check((await page.inputValue("#p-resolution_px-a")) !== "16" || (await page.inputValue("#p-tip_height_nm-mode")) !== "constant",
    "a fresh page shows the preset, not the saved values");
  await page.selectOption("#saved", "browser-test");
  await page.click("#load");
  await page.waitForFunction(() => document.getElementById("message").textContent === "loaded browser-test");
  check((await page.inputValue("#p-resolution_px-a")) === "16", "resolution_px came back");
  check((await page.inputValue("#p-tip_height_nm-mode")) === "constant", "tip_height_nm mode came back");
  check(Number(await page.inputValue("#p-tip_height_nm-a")) === 0.45, "tip_height_nm came back");
  check((await page.inputValue("#p-tip-a")) === "w111-sharp", "tip came back");
  await page.fill("#seed", "7");  // the seed is not part of a parameter file
  const third = await render();
  check(third.z_recorded_forward === second.z_recorded_forward, "the loaded parameters render the same images");

  // Download gives the form's config; uploading a file fills the form.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const downloaded = JSON.parse(readFileSync(await download.path(), "utf8"));
  check(downloaded.resolution_px === 16 && downloaded.tip_height_nm === 0.45 && downloaded.tip === "w111-sharp",
    `downloaded config: ${JSON.stringify(downloaded).slice(0, 200)}`);
  await page.setInputFiles("#upload", { name: "up.json", mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ ...downloaded, kappa_per_nm: { uniform: [8, 12] }, noise_rel: 0.25 })) });
  await page.waitForFunction(() => document.getElementById("message").textContent === "read up.json");
  check((await page.inputValue("#p-kappa_per_nm-mode")) === "uniform" && (await page.inputValue("#p-kappa_per_nm-b")) === "12",
    "uploaded distribution in the form");
  check(Number(await page.inputValue("#p-noise_rel-a")) === 0.25, "uploaded constant in the form");

  // Cancel: the page stops waiting at once and can render again.
  await page.fill("#seed", "8");
  await setConstant("resolution_px", 96);  // slow enough (~1–2 s) to be cancelled while it runs
  await page.click("#render");
  await page.click("#cancel");
  await page.waitForFunction(() => document.getElementById("message").textContent === "render cancelled");
  check(!(await page.isDisabled("#render")) && (await page.isDisabled("#cancel")), "buttons after cancel");
  check((await page.getAttribute("#fig-z_recorded_forward img", "src")) === third.z_recorded_forward, "cancelled result not shown");
  await setConstant("resolution_px", 16);

  // A two-sample dataset with its progress bar.
  await page.fill("#dataset-name", "browser-set");
  await page.fill("#dataset-samples", "2");
  await page.click("#generate");
  await page.waitForFunction(() => document.getElementById("message").textContent.startsWith("wrote 2 samples"));
  check(Number(await page.getAttribute("#generate-progress", "value")) === 1 || (await page.evaluate(() => document.getElementById("generate-progress").value)) === 1,
    "dataset progress reached the end");

    // An invalid value: the message sits next to its field, nothing is rendered.
  await setConstant("kp_rel", 500);
  await page.click("#render");
  await page.waitForFunction(() => document.getElementById("err-kp_rel").textContent !== "");
  const message = await page.textContent("#err-kp_rel");
  check(message.includes("kp_rel") && message.includes("500"), `message next to kp_rel: ${message}`);
  check(await page.locator("#row-kp_rel.bad").isVisible(), "the field is marked");
  await page.locator("#row-kp_rel").scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-error.png") });
} finally {
  await browser.close();
  server.kill();
}
console.log(`${failures} failures`);
process.exit(failures ? 1 : 0);
