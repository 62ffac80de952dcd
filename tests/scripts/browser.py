"""A real browser on the report: Debian's chromium, headless, with a fresh profile per run and a time limit.

check_report(html, screenshot) loads the page twice: once dumping the DOM after the page's own load script
has marked every <img> (data-loaded="true" when complete with naturalWidth > 0), once taking a screenshot.
chromium missing is a failure that says how to install it, never a skip."""
import os
import shutil
import signal
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Tuple

INSTALL_HINT = "scripts/install_dependencies.sh --tests installs it (Debian package chromium)"
TIMEOUT_SECONDS = 90


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError(f"chromium is not installed, and the report's browser test needs it: {INSTALL_HINT}")


def run_chromium(arguments: List[str], timeout: float = TIMEOUT_SECONDS) -> Tuple[int, str, str]:
    """Runs headless chromium in its own process group with a throw-away profile; on timeout the group is
    killed (by its id, which is the process's) and the test fails."""
    with tempfile.TemporaryDirectory(prefix="rankme-chromium-") as profile:
        command = [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
                   "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                   "--force-device-scale-factor=1", f"--user-data-dir={profile}", *arguments]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            raise AssertionError(f"chromium did not finish within {timeout} s: {' '.join(command)}\n"
                                 f"{err.decode(errors='replace')[-2000:]}")
        finally:
            try:  # helpers chromium left behind in its group (it normally takes them down itself)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: List[Dict[str, str]] = []
        self.body: Dict[str, str] = {}
        self.references: List[str] = []  # every src/href that is not a data: URI or an anchor

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "img":
            self.images.append(attributes)
        if tag == "body":
            self.body = attributes
        for name in ("src", "href"):
            value = attributes.get(name)
            if value is not None and not value.startswith(("data:", "#")):
                self.references.append(f"<{tag} {name}=\"{value[:80]}\">")


def page_images(html_path: str) -> _Images:
    """The page as chromium has it once loaded: its images with their data-loaded marks."""
    code, out, err = run_chromium(["--virtual-time-budget=10000", "--dump-dom", Path(html_path).resolve().as_uri()])
    if code != 0 or "<body" not in out:
        raise AssertionError(f"chromium --dump-dom failed (exit {code}):\n{err[-2000:]}")
    parser = _Images()
    parser.feed(out)
    return parser


def png_size(path: str) -> Tuple[int, int]:
    with open(path, "rb") as stream:
        header = stream.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        raise AssertionError(f"'{path}' is not a PNG")
    return struct.unpack(">II", header[16:24])


def screenshot(html_path: str, png_path: str, size: Tuple[int, int]) -> None:
    code, _, err = run_chromium(["--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
                                 "--virtual-time-budget=10000", f"--screenshot={png_path}",
                                 Path(html_path).resolve().as_uri()])
    if code != 0 or not os.path.isfile(png_path):
        raise AssertionError(f"chromium --screenshot failed (exit {code}):\n{err[-2000:]}")


def distinct_colours(png_path: str) -> int:
    import matplotlib.image
    import numpy as np

    pixels = matplotlib.image.imread(png_path)
    return len(np.unique(pixels[..., :3].reshape(-1, 3), axis=0))
