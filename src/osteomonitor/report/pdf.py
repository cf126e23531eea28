"""A report page printed to PDF by headless Chromium (the browser the report is tested in).

The page is copied into a private temporary folder (0700) and printed from there with
`chromium --headless --print-to-pdf`, without header or footer (which would print the
temporary path and the date), in a throw-away browser profile, with every host name
resolving to nothing (belt and braces: the page's CSP already forbids any fetch). The
PDF's bytes are returned; the caller writes them with `files.write_export`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from osteomonitor.errors import OsteomonitorError

#: Browser binaries tried in this order on PATH (Debian's package installs `chromium`).
CHROMIUM_NAMES: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
#: Environment variable naming the browser binary explicitly (overrides PATH).
CHROMIUM_ENV = "OSTEOMONITOR_CHROMIUM"
#: Longest a print may take before it is abandoned, s (a page prints in 1–3 s here).
PRINT_TIMEOUT_S = 120.0

#: Flags for a headless, private, offline browser. `--no-sandbox` only as root (the
#: sandbox cannot start as root); `--no-pdf-header-footer` drops the URL and date lines.
_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


class BrowserError(OsteomonitorError):
    """Headless Chromium is missing or failed to print a report."""

    exit_code = 1


def find_chromium() -> str | None:
    """The Chromium binary: `$OSTEOMONITOR_CHROMIUM`, else the first of `CHROMIUM_NAMES`
    on PATH; None when there is none."""
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium binary, or a `BrowserError` saying how to get one."""
    found = find_chromium()
    if found is None:
        raise BrowserError(
            "a PDF needs headless Chromium, and none was found on PATH (tried "
            + ", ".join(CHROMIUM_NAMES)
            + f"); install it (Debian/Ubuntu: apt-get install chromium) or set {CHROMIUM_ENV} "
            "to the browser binary; the HTML report needs no browser"
        )
    return found


def browser_flags(profile_dir: Path) -> list[str]:
    """The flags every headless run uses, with its throw-away profile folder."""
    flags = [*_FLAGS, f"--user-data-dir={profile_dir}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags


def html_to_pdf(html: str, *, chromium: str | None = None) -> bytes:
    """Print a report page to PDF (A4, the page's own `@page` margins).

    Args:
        html: the whole page (self-contained: it loads nothing).
        chromium: the browser binary (default: `require_chromium()`).

    Returns:
        the PDF file's bytes.

    Raises:
        BrowserError: no browser, or it failed, timed out or wrote no PDF.
    """
    binary = chromium or require_chromium()
    with tempfile.TemporaryDirectory(prefix="osteomonitor-pdf-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        page = folder / "report.html"
        out = folder / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [
            binary,
            *browser_flags(folder / "profile"),
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            run = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=PRINT_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BrowserError(
                f"{binary} did not print the report within {PRINT_TIMEOUT_S:.0f} s; "
                "try again, or open the HTML report and print it from a browser"
            ) from None
        except OSError as exc:
            raise BrowserError(f"{binary}: cannot start the browser ({exc.strerror})") from None
        if run.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = " | ".join((run.stderr or "").strip().splitlines()[-3:])
            raise BrowserError(
                f"{binary} failed to print the report (exit {run.returncode}): "
                + (tail or "no output")
            )
        data = out.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise BrowserError(f"{binary} wrote something that is not a PDF")
    return data
