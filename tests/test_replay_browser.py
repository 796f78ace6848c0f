"""The offline HTML replay in a real headless Chromium, driven through chromedriver.

Chromium and chromedriver come from the system package manager
(``bash scripts/install-test-deps.sh``); when they are missing these tests fail and say
so, they do not skip. The page of the tiny run (tests/replay_fixtures.py) is loaded from
a local file, seeked and played; its clock and counters are checked against values
computed with pandas from ``events.parquet``, its canvas pixels against the style
colours, and a screenshot is saved and checked not to be blank.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from sim.cli.app import main
from sim.plot import style
from sim.replay.html import COUNTER_IDS, COVERAGE_IDS
from sim.replay.panel import clock_text, format_count, format_share
from tests.replay_fixtures import reference_counters, tiny_events, tiny_run_dir  # noqa: F401

CHROMIUM = Path(os.environ.get("SIM_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("SIM_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
#: Flags this machine needs, and none that lets the page reach a network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
    "--force-device-scale-factor=1",
)


def rgb255(colour: str) -> list[int]:
    return np.round(np.array(to_rgb(colour)) * 255).astype(int).tolist()


@pytest.fixture(scope="module")
def html_file(tiny_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("html") / "tiny replay.html"  # a space: a real file URL
    assert main(["animate", str(tiny_run_dir), "--format", "html", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the HTML replay tests need Chromium and its "
            "driver from the system package manager; run `bash scripts/install-test-deps.sh` "
            "(or set SIM_TEST_CHROMIUM / SIM_TEST_CHROMEDRIVER)",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, html_file: Path):
    browser.get(html_file.as_uri())
    wait_for(lambda: browser.execute_script("return document.body.dataset.ready === '1'"))
    return browser


def wait_for(condition, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the page did not get there in time")
        time.sleep(0.05)


def shown(driver) -> dict:
    """Clock text, time and every counter element's text and raw value, read from the DOM."""
    return driver.execute_script(
        """
        const ids = arguments[0], out = {clock: document.getElementById("clock").textContent,
                     timeMs: window.replay.timeMs(), text: {}, value: {}};
        for (const [key, id] of Object.entries(ids)) {
          const el = document.getElementById(id);
          if (el) { out.text[key] = el.textContent; out.value[key] = el.dataset.value; }
        }
        return out;
        """,
        {**COUNTER_IDS, **{f"coverage_{tier}": id_ for tier, id_ in COVERAGE_IDS.items()}},
    )


def assert_page_agrees_with_events(view: dict, events: pd.DataFrame) -> None:
    t_s = view["timeMs"] / 1000.0
    assert view["clock"] == clock_text(t_s)
    want = reference_counters(events, t_s)
    assert "evacuated_persons" in view["text"] and "open_incidents" in view["text"]
    for key, text in view["text"].items():
        if key.startswith("coverage_"):
            assert text == format_share(want[key]), (t_s, key)
            if np.isfinite(want[key]):
                assert float(view["value"][key]) == pytest.approx(want[key]), (t_s, key)
        else:
            assert text == format_count(want[key]), (t_s, key, text, want[key])
            assert float(view["value"][key]) == pytest.approx(want[key]), (t_s, key)


def seek(driver, time_s: float) -> dict:
    driver.execute_script("window.replay.pause(); window.replay.seek(arguments[0]);", time_s)
    return shown(driver)


def canvas_rgb(driver, node: int) -> list[int]:
    return driver.execute_script(
        """
        const [x, y] = window.replay.nodeToCanvas(arguments[0]);
        const ctx = document.getElementById("map").getContext("2d");
        return Array.from(ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data).slice(0, 3);
        """,
        node,
    )


def test_seeked_clock_and_counters_equal_the_event_log(page, tiny_events: pd.DataFrame) -> None:  # noqa: F811
    times = np.unique(tiny_events["time_s"].to_numpy())
    probes = np.concatenate([[0.0, 59.0, 3600.0], times, times - 0.001])
    for t in probes[(probes >= 0) & (probes <= 3600)]:
        assert_page_agrees_with_events(seek(page, float(t)), tiny_events)


def test_playing_advances_the_clock_and_counters_stay_in_step(
    page,
    tiny_events: pd.DataFrame,  # noqa: F811
) -> None:
    seek(page, 0.0)
    page.execute_script("window.replay.setSpeed(600); window.replay.play();")
    assert page.execute_script("return window.replay.isPlaying()")
    wait_for(lambda: page.execute_script("return window.replay.timeMs()") >= 1_010_000)
    page.execute_script("window.replay.pause();")
    view = shown(page)
    assert view["timeMs"] >= 1_010_000  # past the last arrival at a shelter (1008 s)
    assert_page_agrees_with_events(view, tiny_events)
    assert view["text"]["evacuated_persons"] == "5"
    page.execute_script("window.replay.setSpeed(100000); window.replay.play();")
    wait_for(lambda: not page.execute_script("return window.replay.isPlaying()"))
    end = shown(page)
    assert end["timeMs"] == 3_600_000 and end["clock"] == "01:00:00"  # stops at the horizon
    assert_page_agrees_with_events(end, tiny_events)


def test_play_button_speed_menu_and_time_slider(page, tiny_events: pd.DataFrame) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    seek(page, 0.0)
    Select(page.find_element(By.ID, "speed")).select_by_value("1200")
    assert page.execute_script("return window.replay.speed()") == 1200
    button = page.find_element(By.ID, "play")
    button.click()
    assert page.execute_script("return window.replay.isPlaying()") and "pause" in button.text
    wait_for(lambda: page.execute_script("return window.replay.timeMs()") > 0)
    button.click()
    assert not page.execute_script("return window.replay.isPlaying()") and "play" in button.text
    page.execute_script(
        """const s = document.getElementById("time-slider");
        s.value = "1500"; s.dispatchEvent(new Event("input"));"""
    )
    view = shown(page)
    assert view["timeMs"] == 1_500_000 and view["clock"] == "00:25:00"
    assert_page_agrees_with_events(view, tiny_events)


def test_clicking_an_event_jumps_to_its_time(page, tiny_events: pd.DataFrame) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    seek(page, 3600.0)
    items = page.find_elements(By.CSS_SELECTOR, "#events li")
    texts = [item.text for item in items]
    crossing = next(k for k, text in enumerate(texts) if "crosses the border" in text)
    arrival = next(k for k, text in enumerate(texts) if "reaches incident" in text)
    warning = next(k for k, text in enumerate(texts) if "warning" in text)
    crosses = tiny_events[tiny_events["kind"] == "border_cross"]["time_s"].min()
    arrives = tiny_events[tiny_events["kind"] == "arrive_scene"]["time_s"].min()
    for k, time_s in ((crossing, crosses), (arrival, arrives), (warning, 0.0)):
        page.execute_script("arguments[0].scrollIntoView();", items[k])
        items[k].click()
        view = shown(page)
        assert view["timeMs"] == int(np.ceil(time_s * 1000 - 1e-6)), texts[k]
        assert_page_agrees_with_events(view, tiny_events)
    assert "selected" in items[warning].get_attribute("class").split()
    assert "past" in items[warning].get_attribute("class").split()
    selected = [k for k, it in enumerate(items) if "selected" in it.get_attribute("class").split()]
    assert selected == [warning]  # only the clicked one (others share its time: 0 s)


def test_canvas_shows_the_style_colours_and_layers_toggle(page) -> None:
    from selenium.webdriver.common.by import By

    seek(page, 100.0)  # incident at node 3 reported at 60 s, not yet reached
    assert canvas_rgb(page, 3) == rgb255(style.INCIDENT_OPEN_COLOUR)
    seek(page, 400.0)  # reached at 340 s by a team that crossed the border at node 3
    assert canvas_rgb(page, 3) == rgb255(style.CROSSING_COLOUR)
    toggle = page.find_element(By.ID, "layer-crossings")
    toggle.click()
    try:
        assert canvas_rgb(page, 3) != rgb255(style.CROSSING_COLOUR)
    finally:
        toggle.click()
    assert canvas_rgb(page, 3) == rgb255(style.CROSSING_COLOUR)


def test_screenshot_is_not_blank_and_nothing_was_fetched(
    page,
    html_file: Path,
    tmp_path: Path,
) -> None:
    seek(page, 1200.0)
    shot = tmp_path / "replay.png"
    assert page.save_screenshot(str(shot))
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50
    assert (pixels.min(axis=1) < 200).mean() > 0.02  # ink on the page, not a white sheet
    sent = [
        json.loads(entry["message"])["message"]["params"]
        for entry in page.get_log("performance")
        if '"Network.requestWillBeSent"' in entry["message"]
    ]
    uri = html_file.as_uri()
    from_page = [p["request"]["url"] for p in sent if p.get("documentURL") == uri]
    assert from_page == [uri]  # the file itself, and nothing the page asked for
    assert not [p for p in sent if p["request"]["url"].startswith(("http:", "https:", "ws"))]
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    errors = [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def _dark_pixels_in_column(driver, x_px: float, half_width: int = 3) -> int:
    """Near-black pixels in a strip of the map canvas around canvas column ``x_px``."""
    return driver.execute_script(
        """
        const c = document.getElementById("map"), ctx = c.getContext("2d");
        const x0 = Math.max(Math.floor(arguments[0]) - arguments[1], 0), w = 2 * arguments[1] + 1;
        const d = ctx.getImageData(x0, 0, w, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 70 && d[i + 1] < 70 && d[i + 2] < 70) n++;
        return n;
        """,
        x_px,
        half_width,
    )


def test_border_of_user_jurisdictions_is_drawn(page) -> None:
    # The tiny network has no border line: nodes 0, 1, 2, 5 are A, nodes 3, 4 are B, so
    # the page draws the border traced from the nodes, half-way between nodes 2 and 3.
    seek(page, 0.0)
    x2 = page.execute_script("return window.replay.nodeToCanvas(2)[0]")
    x3 = page.execute_script("return window.replay.nodeToCanvas(3)[0]")
    x1 = page.execute_script("return window.replay.nodeToCanvas(1)[0]")
    on_border = _dark_pixels_in_column(page, (x2 + x3) / 2)
    off_border = _dark_pixels_in_column(page, (x1 + x2) / 2)
    assert on_border >= 10, (on_border, off_border)  # a dashed line across the map's strip
    assert off_border <= 2, (on_border, off_border)
    names = page.execute_script(
        "return [...document.querySelectorAll('#legend div')].map((d) => d.textContent)"
    )
    assert "A" in names and "B" in names and "border" in names
    assert any(name.startswith("ground station") for name in names)  # as in the videos


def test_page_opens_at_the_time_in_its_url(browser, html_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "opened at.html"
    copy.write_bytes(html_file.read_bytes())
    browser.get(copy.as_uri() + "#t=1500")
    wait_for(lambda: browser.execute_script("return document.body.dataset.ready === '1'"))
    view = shown(browser)
    assert view["timeMs"] == 1_500_000
    assert view["clock"] == "00:25:00"
    assert not browser.execute_script("return window.replay.isPlaying()")
    browser.execute_script("window.location.hash = 't=600'")  # a new time in the URL
    wait_for(lambda: browser.execute_script("return window.replay.timeMs() === 600000"))
    assert shown(browser)["clock"] == "00:10:00"
