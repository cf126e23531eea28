"""Which alerts the live banner shows: appear, hold, clear, stick until acknowledged."""

from __future__ import annotations

from osteomonitor.prescription.safety import Alert, Rule, Severity
from osteomonitor.tui.views.alert_board import ALERT_HOLD_S, AlertBoard


def _alert(rule: str, t_s: float, severity: str = Severity.WARNING) -> Alert:
    return Alert(rule, severity, t_s, 150.0, 140.0, "bpm", "test rule", f"{rule} words", "physio")


def test_alert_shows_then_clears_after_the_hold() -> None:
    board = AlertBoard()
    hr = _alert(Rule.HR_CEILING, 100.0)
    board.update([], 99.0)
    assert board.active() == []
    board.update([hr], 100.5)
    assert board.active() == [hr]
    board.update([hr], 100.0 + ALERT_HOLD_S - 0.1)
    assert board.active() == [hr]
    board.update([hr], 100.0 + ALERT_HOLD_S + 0.1)
    assert board.active() == []


def test_pain_stays_until_acknowledged_and_a_new_report_shows_again() -> None:
    board = AlertBoard()
    pain = _alert(Rule.PAIN, 10.0, Severity.STOP)
    board.update([pain], 10.0)
    board.update([pain], 10.0 + 10 * ALERT_HOLD_S)
    assert board.active() == [pain]
    board.acknowledge_all()
    assert board.active() == []
    again = _alert(Rule.PAIN, 500.0, Severity.STOP)
    board.update([pain, again], 500.0)
    assert board.active() == [again]


def test_acknowledged_stays_acknowledged_until_it_repeats() -> None:
    import dataclasses

    board = AlertBoard()
    first = _alert(Rule.IMPACT_CEILING, 5.0)
    board.update([first], 5.0)
    board.acknowledge_all()
    board.update([first], 6.0)  # the same list again: still acknowledged
    assert board.active() == []
    # another hard landing at 40 s is folded into the same entry by the safety monitor
    folded = dataclasses.replace(first, count=2, last_t_s=40.0)
    board.update([folded], 40.5)
    assert board.active() == [folded]
    board.update([folded], 40.0 + ALERT_HOLD_S - 0.1)  # the hold runs from the repeat
    assert board.active() == [folded]
    board.update([folded], 40.0 + ALERT_HOLD_S + 0.1)
    assert board.active() == []


def test_repeats_keep_the_alert_showing_with_the_real_monitor() -> None:
    from rx_builders import make_rx

    from osteomonitor.model import Jump
    from osteomonitor.prescription import SafetyMonitor

    mon = SafetyMonitor(make_rx())  # moderate risk: 5.4 g ceiling, repeats fold for 60 s
    board = AlertBoard()
    for t in (10.0, 25.0, 40.0, 55.0):  # a hard landing every 15 s
        mon.on_jump(Jump(t - 0.3, t, 0.3, 0.1, 6.2, 0.0))
        board.update(mon.alerts, t + 0.5)
        assert [a.rule for a in board.active()] == [Rule.IMPACT_CEILING], t
    assert mon.alerts[0].count == 4


def test_local_alert_until_acknowledged() -> None:
    board = AlertBoard()
    board.add_local("feed", "replay stopped: disk error", "stop")
    assert [a.patient_message for a in board.active()] == ["replay stopped: disk error"]
    board.acknowledge_all()
    assert board.active() == []


def test_hr_ceiling_alert_stays_while_the_heart_rate_is_above_the_ceiling() -> None:
    board = AlertBoard()
    hr = _alert(Rule.HR_CEILING, 100.0)
    late = 100.0 + 3 * ALERT_HOLD_S
    board.update([hr], late, hr_above_ceiling=True)
    assert board.active() == [hr]
    board.update([hr], late + 1, hr_above_ceiling=False)
    assert board.active() == []
