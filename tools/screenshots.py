"""Take screenshots of Chorus pages with headless Chromium, as a user would see them.

Usage: python tools/screenshots.py BASE_URL USERNAME PASSWORD OUT_DIR [PATH ...]
Password may also come from CHORUS_PASSWORD. Each page is shot at 1280 and 1920 px wide.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def make_driver() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def main(argv: list[str]) -> None:
    base, username, password, out = argv[:4]
    password = password or os.environ.get("CHORUS_PASSWORD", "")
    paths = argv[4:] or ["/"]
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    driver = make_driver()
    try:
        driver.set_window_size(1280, 1000)
        driver.get(f"{base}/login")
        driver.find_element(By.ID, "username").send_keys(username)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        time.sleep(2)
        for path in paths:
            for width in (1280, 1920):
                driver.set_window_size(width, 1080)
                driver.get(f"{base}{path}")
                time.sleep(4)  # let Dash render and plotly draw
                height = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(width, min(max(height, 800), 4000))
                name = path.strip("/").replace("/", "_").split("?")[0] or "overview"
                driver.save_screenshot(str(out_dir / f"{name}-{width}.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1:])
