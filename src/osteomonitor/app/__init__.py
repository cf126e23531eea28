"""The use-case floor: what the CLI and the TUI do, headless.

Modules:
    review: a recording analysed and judged, its exports, a patient's weeks with one
        prescription rule.
"""
