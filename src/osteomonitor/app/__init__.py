"""The use-case floor: what the CLI and the TUI do, headless.

Modules:
    review: a recording analysed and judged, its exports, a patient's weeks with one
        prescription rule.
    review_alerts: review's safety alerts, replayed through the live SafetyMonitor path.
    collection: open a real or virtual collection (record, live, demo).
    recording_session: a headless recording and its status loop (`record`).
    recordings: the recordings library (list, details, repair, mark supervised).
    imports: another tool's export as a recording (`import`).
    coaching: what the live coach says.
"""
