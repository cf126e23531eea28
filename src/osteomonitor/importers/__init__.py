"""Importers: other tools' exports turned into osteomonitor recordings.

May import: model, errors, devices (to re-encode data as the device sent it) and store.
"""
