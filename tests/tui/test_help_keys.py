"""The help screen names keys as people type them (issue 16: it showed "equals_sign")."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import Screen
from textual.widgets import Static
from tui_support import SIZE, WALK, wait_for

import osteomonitor.tui.screens as screens_pkg
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.help import HelpScreen, binding_rows, key_text
from osteomonitor.tui.screens.replay import ReplayScreen


def test_textual_key_names_become_what_is_typed() -> None:
    assert key_text("plus,equals_sign") == "+ / ="
    assert key_text("minus") == "-"
    assert key_text("left") == "←" and key_text("right") == "→"
    assert key_text("space") == "space"
    assert key_text("shift+right,right_square_bracket") == "Shift+→ / ]"
    assert key_text("question_mark") == "?"
    assert key_text("escape,enter") == "Esc / Enter"


def test_the_replay_keys_read_as_typed() -> None:
    rows = dict((desc, keys) for keys, desc in binding_rows(list(ReplayScreen.BINDINGS)))
    assert rows["Faster"] == "+ / ="
    assert rows["Slower"] == "-"
    assert rows["Pause/play"] == "space"
    assert rows["+10 s"] == "→" and rows["-10 s"] == "←"


def test_no_screen_shows_a_textual_key_name() -> None:
    for info in pkgutil.iter_modules(screens_pkg.__path__):
        module = importlib.import_module(f"{screens_pkg.__name__}.{info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Screen) or cls.__module__ != module.__name__:
                continue
            for keys, _desc in binding_rows(list(cls.BINDINGS)):
                assert "_" not in keys, f"{cls.__name__}: {keys!r}"


async def test_the_help_screen_of_the_replay_shows_typed_keys() -> None:
    feed = ReplayFeed(WALK, speed=1.0)
    feed.open()
    app = OsteomonitorApp(lambda: ReplayScreen(feed))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = str(app.screen.query_one(".help-keys", Static).render())
        for shown in ("+ / =", "space", "→", "←"):
            assert shown in text
        assert "equals_sign" not in text and "square_bracket" not in text
