"""Patient records: each patient's facts and dated prescription history, in TOML files.

Public API:
- `PatientFacts`, `parse_facts(text, origin)`, `facts_toml(facts)`, `facts_problems(f)`,
  `FactsEdit` (the facts `patient edit` changes or clears).
- `PatientRecords(folder)`: list, read, create and edit facts; `history`, `in_force(p,
  day)`, `add_prescription(p, text, day)`.

Storage only; the use cases (defaults, the session's prescription) live in
`osteomonitor.app.patients`. Imports point down only: prescription, config, model.
"""

from osteomonitor.patients.facts import (
    CLEARABLE,
    FACTS_FORMAT,
    SEXES,
    FactsEdit,
    PatientFacts,
    facts_problems,
    facts_toml,
    parse_facts,
)
from osteomonitor.patients.records import HistoryEntry, PatientRecords

__all__ = [
    "CLEARABLE",
    "FACTS_FORMAT",
    "SEXES",
    "FactsEdit",
    "HistoryEntry",
    "PatientFacts",
    "PatientRecords",
    "facts_problems",
    "facts_toml",
    "parse_facts",
]
