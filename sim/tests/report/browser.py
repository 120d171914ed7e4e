#!/usr/bin/python3
"""The HTML report in a real browser: headless Chromium driven by Selenium (Debian's chromium,
chromium-driver and python3-selenium; ci/install-deps installs them).

Renders the reports of the whole scenario library (its 10,000-resident population included), of a few
library scenarios, of the scenarios meant to fail, of the population alone and of a comparison, and for each
page:
  - fails on any console message of level SEVERE (selenium's browser log) and on any resource the page
    fetched (the page must be self-contained: performance.getEntriesByType('resource') is empty);
  - counts what must be there against the JSON report of the same files: one timeline per named resident
    (and per drawn population resident), each with day bars, document rows, the policy's key-date lines and
    a month axis, a tooltip (<title>) on every bar and mark; the population's four charts with one published
    dot per published month inside the period; every failed expectation first, its link leading to an
    element of the page; the comparison's differing residents;
  - checks that every timeline and chart is laid out (non-zero size).
With --screenshots DIR it saves one PNG per view there (ci/screenshots: docs/screenshots/).

Usage: browser.py MYNASIM SOURCE_DIR WORK_DIR [--screenshots DIR]
Exit 0 all hold, 1 a check failed, 77 (ctest's skip) when Chromium, its driver or Selenium is missing — 1 under MYNASIM_REQUIRE_INTEGRATION (ci/test), where a skip is a failure.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    print("browser: python3-selenium is missing (ci/install-deps installs it)")
    # ci/test sets MYNASIM_REQUIRE_INTEGRATION: there a skipped browser test is a failure.
    sys.exit(1 if os.environ.get("MYNASIM_REQUIRE_INTEGRATION") else 77)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
LIBRARY = [
    "scenarios/nhi-card-lost-in-september-certificate-on-application.yaml",
    "scenarios/certificate-not-issued-while-paper-card-usable.yaml",
    "scenarios/nhi-certificate-lost-expired-paper-card-lookup.yaml",
    "scenarios/same-day-order-of-events-and-visits.yaml",
]
POPULATION = "scenarios/national-population-usage-rate-by-month.yaml"
COMPARE = ["scenarios/nhi-card-lost-in-september-certificate-on-application.yaml",
           "scenarios/nhi-certificate-lost-expired-paper-card-lookup.yaml"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def mynasim(m, args, want):
    r = subprocess.run([m] + args, capture_output=True, text=True)
    if r.returncode != want:
        print("browser: mynasim %s exited %d, expected %d\n%s" % (" ".join(args), r.returncode, want, r.stderr))
        sys.exit(1)


def reports(m, work, name, files, want, extra=()):
    """The HTML and JSON reports of `files`; returns (html path, parsed JSON)."""
    html = os.path.join(work, name + ".html")
    js = os.path.join(work, name + ".json")
    mynasim(m, ["run", "-q", *extra, "--report", "html", "--out", html, *files], want)
    mynasim(m, ["run", "-q", *extra, "--report", "json", "--out", js, *files], want)
    with open(js, encoding="utf-8") as f:
        return html, json.load(f)


def open_page(driver, path):
    driver.get("file://" + os.path.abspath(path))
    logs = driver.get_log("browser")
    severe = [e for e in logs if e.get("level") == "SEVERE"]
    check(not severe, "%s: console errors: %s" % (os.path.basename(path), severe))
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    check(not fetched, "%s: the page fetched %s (it must be self-contained)" % (os.path.basename(path), fetched))


def count(driver, css):
    return len(driver.find_elements(By.CSS_SELECTOR, css))


def laid_out(driver, css, what):
    sizes = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => {"
        "const r = e.getBoundingClientRect(); return [r.width, r.height]; })", css)
    check(all(w > 0 and h > 0 for w, h in sizes), "%s: an element %s is not laid out: %s" % (what, css, sizes))


def timelines_complete(driver, what):
    """Every timeline has day bars and an axis, some key dates; every bar and mark a tooltip."""
    per = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg.timeline')).map(s => ["
        "s.querySelectorAll('rect.day').length, s.querySelectorAll('line.keydate').length,"
        "s.querySelectorAll('line.axis').length, s.querySelectorAll('text').length,"
        "Array.from(s.querySelectorAll('rect, circle, polygon')).filter(e => !e.querySelector('title')"
        " || e.querySelector('title').textContent.length == 0).length])")
    # a period may hold none of the policy's key dates; the page as a whole shows some
    check(sum(k for _, k, _, _, _ in per) > 0, "%s: no key-date line in any timeline" % what)
    for i, (days, keys, axis, texts, untitled) in enumerate(per):
        check(days > 0, "%s: timeline %d has no day bars" % (what, i))
        check(axis > 1, "%s: timeline %d has no month axis" % (what, i))
        check(untitled == 0, "%s: timeline %d has %d bars or marks without a tooltip" % (what, i, untitled))
    laid_out(driver, "svg.timeline", what)


def shot(driver, shots, name, css=None):
    """A PNG of the view; `css`: scrolled to the first match's timeline or section first."""
    if shots is None:
        return
    if css is not None:
        driver.execute_script("const e = document.querySelector(arguments[0]);"
                              "if (e) (e.closest('div.timeline, div.population, section') || e).scrollIntoView();",
                              css)
    driver.save_screenshot(os.path.join(shots, name + ".png"))


def main():
    if len(sys.argv) not in (4, 6) or (len(sys.argv) == 6 and sys.argv[4] != "--screenshots"):
        print(__doc__)
        return 2
    m, src, work = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    shots = os.path.abspath(sys.argv[5]) if len(sys.argv) == 6 else None
    try:
        socket.getaddrinfo("localhost", None)
    except OSError:
        print('browser: the name "localhost" does not resolve; Selenium and ChromeDriver need it '
              "(ci/install-deps adds it to /etc/hosts)")
        return 1 if os.environ.get("MYNASIM_REQUIRE_INTEGRATION") else 77
    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        print("browser: chromium or chromedriver is missing (ci/install-deps installs them)")
        return 1 if os.environ.get("MYNASIM_REQUIRE_INTEGRATION") else 77
    os.makedirs(work, exist_ok=True)
    if shots:
        os.makedirs(shots, exist_ok=True)
    os.chdir(src)  # reports name files relative to the source tree

    # the rules path (--fidelity rules) keeps the whole library quick; the page has the same shape
    all_html, whole = reports(m, work, "whole-library", ["scenarios/"], 0, ("--fidelity", "rules"))
    lib_html, lib = reports(m, work, "library", LIBRARY, 0)
    fail_html, failing = reports(m, work, "failing", ["tests/failing-scenarios/"], 1)
    pop_html, pop = reports(m, work, "population", [POPULATION], 0)
    cmp_html = os.path.join(work, "compare.html")
    mynasim(m, ["compare", "-q", "--policy", "national", "--policy", "as-announced-2024", "--report", "html",
                "--out", cmp_html, *COMPARE], 0)

    profile = tempfile.mkdtemp(prefix="mynasim-chromium-", dir=work)
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--user-data-dir=" + profile, "--window-size=1150,1300", "--hide-scrollbars"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    try:
        # the whole library: every named resident's timeline, the population's charts and drawn residents
        open_page(driver, all_html)
        named = sum(len(r.get("residents", [])) for r in whole["runs"])
        drawn = count(driver, "div.timeline[id*='-p']")
        check(count(driver, "svg.timeline") == named + drawn,
              "whole library: %d timelines, %d named residents and %d population residents drawn"
              % (count(driver, "svg.timeline"), named, drawn))
        check(count(driver, "section.scenario") == len(whole["runs"]), "whole library: not one section per file")
        pops = sum(1 for r in whole["runs"] if "population" in r)
        check(count(driver, "svg.chart") == 4 * pops, "whole library: not four charts per population")
        timelines_complete(driver, "whole library")

        # a few library scenarios: one timeline per named resident
        open_page(driver, lib_html)
        residents = sum(len(r.get("residents", [])) for r in lib["runs"])
        check(count(driver, "svg.timeline") == residents,
              "library: %d timelines, %d residents" % (count(driver, "svg.timeline"), residents))
        check(count(driver, "section.scenario") == len(LIBRARY), "library: not one section per scenario")
        visits = sum(len(p["visits"]) for r in lib["runs"] for p in r.get("residents", []))
        check(count(driver, "polygon.visit") == visits,
              "library: %d visit marks, %d visits" % (count(driver, "polygon.visit"), visits))
        check(count(driver, "circle.event") > 0, "library: no event marks")
        tips = [e.get_attribute("textContent") for e in driver.find_elements(By.CSS_SELECTOR, "polygon.visit title")]
        check(all("outcome " in t and "route " in t and "rule " in t and ("fee " in t or "no fee" in t)
                  for t in tips), "library: a visit tooltip lacks outcome, route, rule or fee")
        timelines_complete(driver, "library")
        shot(driver, shots, "timeline", "section.scenario:has(rect.day.grace)")

        # the scenarios meant to fail: the failures first, each linked
        open_page(driver, fail_html)
        failed = sum(1 for r in failing["runs"] for e in r.get("expectations", []) if not e["passed"])
        check(count(driver, "ol.failures > li") == failed,
              "failing: %d failures listed, %d failed" % (count(driver, "ol.failures > li"), failed))
        first = driver.execute_script(
            "const s = document.querySelector('#failures'), c = document.querySelector('section.scenario');"
            "return s && c && (s.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING) != 0;")
        check(first, "failing: the failed expectations do not come before the scenarios")
        broken = driver.execute_script(
            "return Array.from(document.querySelectorAll('ol.failures a')).map(a => a.getAttribute('href'))"
            ".filter(h => !document.getElementById(h.slice(1)));")
        check(not broken, "failing: links that lead nowhere: %s" % broken)
        check(count(driver, "ol.failures code.pos") == failed, "failing: a failure without its file:line")
        timelines_complete(driver, "failing")
        shot(driver, shots, "failures")

        # a population of 10,000: the charts, the published figures, residents with a gap day
        open_page(driver, pop_html)
        p = pop["runs"][0]["population"]
        check(p["residents"] == 10000, "population: %s residents, expected 10,000" % p["residents"])
        for c in ("usage", "days", "rules", "cards"):
            check(count(driver, "svg.chart." + c) == 1, "population: the %s chart is missing" % c)
        months = {mo["month"][:7] for mo in p["months"]}
        with open("fixtures/mixes/national.yaml", encoding="utf-8") as f:
            published = {ln.split("month: ")[1][:7] for ln in f if "rate: " in ln and "month: " in ln}
        check(count(driver, "circle.published") == len(months & published),
              "population: %d published dots, %d published months in the period"
              % (count(driver, "circle.published"), len(months & published)))
        check(count(driver, "svg.chart.usage rect.bar-usage") == sum(1 for mo in p["months"]
                                                                      if mo["usage_ppm"] is not None),
              "population: not one usage bar per month with online checks")
        check(count(driver, "svg.chart.cards rect.bar") == 4, "population: the cards chart lacks a bar")
        laid_out(driver, "svg.chart", "population")
        gaps = driver.find_element(By.CSS_SELECTOR, "h3.pop-timelines").text
        drawn = count(driver, "div.timeline[id*='-p']")
        check(drawn <= 100 and ("%d drawn" % drawn) in gaps, "population: %d timelines, heading '%s'" % (drawn, gaps))
        if drawn:
            timelines_complete(driver, "population")
        shot(driver, shots, "population", "div.population")

        # compare: the two policies side by side, the residents whose days differ
        open_page(driver, cmp_html)
        check(count(driver, "table.sides") == len(COMPARE) + 1, "compare: not one table per file and the totals")
        differ = count(driver, "svg.timeline.compare")
        check(differ >= len(COMPARE), "compare: a differing resident is not drawn")
        check(count(driver, "svg.timeline:not(.compare)") == 2 * differ,
              "compare: not one whole timeline per policy for each differing resident")
        timelines_complete(driver, "compare")
        laid_out(driver, "svg.timeline.compare", "compare")
        shot(driver, shots, "compare")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print("browser: %d check(s) failed" % len(failures))
        return 1
    print("browser: 5 pages rendered in Chromium, every check holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
