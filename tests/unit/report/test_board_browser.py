"""The change board in a real headless browser: Debian's chromium driven by Selenium through
/usr/bin/chromedriver (nothing is downloaded: the driver's path is given, Selenium Manager is
kept offline). The site is served from 127.0.0.1; the browser's network log must show no
request to any other origin, no script may run, every section renders with its stylesheet,
and the numbers match the history. The screenshot is kept in test-artifacts/ (git-ignored).

Skipped, with the reason, when chromium or chromedriver is not installed; `.ci/run`
installs both."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PROJECT, GitRepo
from history_samples import HOSTILE_TITLE, TODAY, History, build_history

from changegate.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file()
                                                else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="chromium and chromium-driver are not installed "
                                       "(apt-get install chromium chromium-driver; .ci/run does)")
ARTIFACTS = PROJECT / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,2600")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, History]:
    monkeypatch.chdir(git_repo.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def record(*args: str) -> None:
        result = CliRunner().invoke(cli, ["record", "--now", f"{TODAY}T10:00:00Z", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr

    history = build_history(git_repo, record)
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["board", "--output", str(out), "--today", TODAY, "--repository", "acme/retail"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out, history


@pytest.fixture
def origin(site: tuple[Path, History]) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site[0]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager: never fetch a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _requested_urls(driver: object) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_board_in_a_real_browser(site: tuple[Path, History], origin: str, browser: object) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    _, history = site
    driver.get(f"{origin}/index.html")  # type: ignore[attr-defined]
    find = driver.find_element  # type: ignore[attr-defined]

    # Every section renders, styled by the site's own stylesheet (the CSP lets it in).
    for section in ("streams", "emergencies", "vs-customer-service", "vs-store-operations",
                    "vs-finance-settlement", "vs-marketing"):
        assert find(By.ID, section).is_displayed(), section
    assert not driver.find_elements(By.ID, "freezes")  # type: ignore[attr-defined]
    overdue = find(By.ID, f"emergency-{history.hotfix[:12]}")
    assert "pir-overdue" in overdue.get_attribute("class")
    assert overdue.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert find(By.CSS_SELECTOR, "#emergency-" + history.hotfix[:12] + " .status").text == "OVERDUE"

    # The numbers match the history (4 crm changes, 1 emergency, 2 failed; marketing 1).
    def row(stream: str) -> list[str]:
        cells = find(By.ID, f"stats-vs-{stream}").find_elements(By.CSS_SELECTOR, "td .count, td.changes")
        return [c.text for c in cells]

    assert row("customer-service") == ["4", "1", "2"]
    assert row("marketing") == ["1", "0", "0"]
    assert find(By.ID, "total-failed").text == "2" and find(By.ID, "total-emergencies").text == "1"
    chart = find(By.CSS_SELECTOR, "#stats-vs-customer-service svg.chart")
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar")) == 3  # weeks with changes

    # User-controlled text is inert: shown as text, no script ran, no element was made of it.
    assert HOSTILE_TITLE in find(By.TAG_NAME, "body").text
    assert driver.title == "Change board"  # type: ignore[attr-defined]
    assert driver.execute_script("return document.scripts.length + document.images.length") == 0  # type: ignore[attr-defined]
    links = [a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")]  # type: ignore[attr-defined]
    assert links and all(h.startswith((origin + "/index.html#", "https://github.com/acme/retail/pull/"))
                         for h in links), links
    assert "https://github.com/acme/retail/pull/13" in links

    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")  # type: ignore[attr-defined]
    driver.set_window_size(1280, min(int(height) + 40, 8000))  # type: ignore[attr-defined]
    assert driver.save_screenshot(str(ARTIFACTS / "board-browser.png"))  # type: ignore[attr-defined]

    # The network log: only the local server (and data: URLs); the CSP reported nothing blocked.
    urls = _requested_urls(driver)
    assert f"{origin}/index.html" in urls and f"{origin}/style.css" in urls
    # (chrome:// and about: are the browser's own start page, before the board is opened)
    elsewhere = [u for u in urls if not u.startswith((origin + "/", "data:", "chrome://", "chrome-untrusted://",
                                                      "about:"))]
    assert elsewhere == [], elsewhere
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert severe == []
