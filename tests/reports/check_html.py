#!/usr/bin/python3
"""Loads the page `migcheck ci --html` wrote in headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium) and checks what a reader sees.

Usage: check_html.py PAGE SCREENSHOT

The page must render its table of runs (one row per run, each with a verdict) and at least one
finding's interleaving: one column per thread side by side, time downward, the racing
accesses highlighted, each step's source line in its hover text. It must load nothing from the
network. A screenshot of a race's interleaving is kept in SCREENSHOT.
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def fail(message):
    print("html: " + message)
    sys.exit(1)


def main():
    page = os.path.abspath(sys.argv[1])
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1200"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + page)
        if driver.title != "migcheck ci":
            fail("title is %r" % driver.title)
        # Self-contained: the only resource the page loaded is the page itself.
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        if resources:
            fail("the page loaded " + ", ".join(resources))
        rows = driver.find_elements(By.CSS_SELECTOR, "table#runs tbody tr")
        if not rows:
            fail("no run in the table")
        for row in rows:
            verdict = row.find_element(By.CSS_SELECTOR, "td.verdict").text
            if verdict not in ("pass", "fail", "INCOMPLETE", "error"):
                fail("a row with verdict %r" % verdict)
        if not rows[0].is_displayed() or rows[0].size["height"] <= 0:
            fail("the table is not drawn")
        if not driver.find_elements(By.CSS_SELECTOR, "details.finding[open]"):
            fail("no finding is open")
        # A race: both of its accesses are highlighted, in two columns. Opened as a reader
        # opens it, by a click on its summary.
        races = [d for d in driver.find_elements(By.CSS_SELECTOR, "details.finding")
                 if d.find_element(By.TAG_NAME, "summary").text.startswith("data-race")
                 and d.find_elements(By.CSS_SELECTOR, "table.interleaving")]
        if not races:
            fail("no data race drawn")
        finding = races[0]
        if finding.get_attribute("open") is None:
            finding.find_element(By.TAG_NAME, "summary").click()
        table = finding.find_element(By.CSS_SELECTOR, "table.interleaving")
        if not table.is_displayed():
            fail("the race's interleaving is not drawn")
        heads = table.find_elements(By.CSS_SELECTOR, "th.thread")
        if len(heads) < 2:
            fail("an interleaving with %d thread columns" % len(heads))
        xs = [h.location["x"] for h in heads]
        if sorted(xs) != xs or len(set(xs)) != len(xs):
            fail("the thread columns are not side by side: x = %s" % xs)
        steps = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        ys = [s.location["y"] for s in steps]
        if ys != sorted(ys) or len(steps) < 3:
            fail("the steps do not run downward")
        racing = table.find_elements(By.CSS_SELECTOR, "td.race")
        columns = {r.location["x"] for r in racing}
        if len(racing) != 2 or len(columns) != 2:
            fail("%d racing cells in %d columns, not the race's two sides" % (len(racing), len(columns)))
        colour = racing[-1].value_of_css_property("background-color")
        plain = table.find_element(By.CSS_SELECTOR, "td.ev:not(.race)")
        if colour == plain.value_of_css_property("background-color"):
            fail("the racing access is drawn like any other step")
        hover = racing[-1].get_attribute("title")
        if ".cc:" not in hover and ".h:" not in hover:
            fail("the racing access's hover text has no source line: %r" % hover)
        driver.execute_script("arguments[0].scrollIntoView()", finding)
        finding.screenshot(sys.argv[2])
        print("html rendered: %d runs, %d thread columns, %d steps, %d racing cells, hover %r"
              % (len(rows), len(heads), len(steps), len(racing), hover.split("\n")[0]))
    finally:
        driver.quit()


main()
