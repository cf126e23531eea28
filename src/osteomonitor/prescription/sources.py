"""Where every prescription number and safety rule comes from.

A `Source` names a guideline document and, for numbers copied from a guideline table,
the table, row, column and the cell text verbatim. Values a person typed into a
prescription file carry `Source.from_file`. Rule sources for the safety checks and the
compliance thresholds are the `REFERENCES` below, cited by key.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Short key → full citation of every document the prescription layer cites.
REFERENCES: dict[str, str] = {
    "ksbmr-2023": "Bae et al., KSBMR/KSEP position statement, J Bone Metab 2023;30(2):149-165",
    "acsm-osteoporosis": "ACSM FITT recommendations for individuals with osteoporosis "
    "(ACSM's Guidelines for Exercise Testing and Prescription)",
    "conservative": "iSpine patient guidance on osteoporosis exercise "
    "(posted Nov 2019, updated Mar 2022)",
    "acsm-special": "ACSM's Guidelines for Exercise Testing and Prescription, osteoporosis "
    "special considerations: no pain, avoid "
    "explosive/high-impact loading at high fracture risk, eyes-closed balance only at low "
    "or moderate risk, avoid spinal twisting/bending with vertebral fracture",
    "uk-consensus-2022": "Brooke-Wavell et al., Strong, Steady and Straight, BJSM 2022;56:837",
    "vainionpaa-2006": "Vainionpää et al., Osteoporos Int 2006;17:455 (impact bands, >3.9 g)",
    "domain-2.5": "osteomonitor design choice, to be tuned: brisk-walk ceiling = no flight "
    "phase and landing peaks ≤ 2.5 g chest-equivalent, translating the UK consensus's "
    "'impact only up to the equivalent of brisk walking' (Brooke-Wavell et al., BJSM "
    "2022;56:837)",
    "domain-3.3": "Eston & Thompson, BJSM 1997;31:114: beta-blockade lowers HRmax 20-30 %, "
    "so RPE leads the prescription (osteomonitor design choice)",
    "domain-3.6": "osteomonitor design choice: a session is indeterminate below 80 % "
    "valid-data coverage (time without valid data is unknown, never zone time)",
    "detraining-2025": "Front Sports Act Living 2025;7:1655404: benefits fade with detraining "
    "(the review reports detraining periods of 3 months to 5 years)",
    "lapse-choice": "osteomonitor's choice [B]: a prescribed modality without a session for "
    "14 days is flagged early, well before the 3-month-to-5-year detraining periods the "
    "review reports (Front Sports Act Living 2025;7:1655404)",
    "ksbmr-ramp": "osteomonitor's choice [B] between the ends KSBMR 2023 states (start 50 %, "
    "progress to 85 % 1RM; 2-3 days/week for 3-12 months): 10 %1RM steps every 4 weeks, "
    "85 % from programme week 17; the clinician edits after_weeks",
    "retest-choice": "osteomonitor's choice [B]: a 1RM estimate older than 12 weeks prompts a "
    "submaximal re-test (loads progress over 4-week phases, KSBMR ramp)",
    "tudor-locke-2021": "Tudor-Locke et al., Walking cadence (steps/min) and intensity in "
    "61-85-year-old adults: the CADENCE-Adults study, IJBNPA 2021;18:129 (segmented "
    "regression: 103.1, 116.4, 129.6, 142.9 steps/min for 3, 4, 5, 6 METs)",
    "supervision-2025": "Front Sports Act Living 2025;7:1655404: supervised training is "
    "superior to unsupervised for most outcomes",
    "epley-1985": "Epley B., Poundage chart, Boyd Epley Workout 1985: 1RM = w·(1 + r/30)",
    "brzycki-1993": "Brzycki M., JOPERD 1993;64(1):88-90: 1RM = w·36/(37 − r)",
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where one prescription value came from.

    Attributes:
        ref: key into `REFERENCES` ("ksbmr-2023" …) or "file" for a value typed by a person.
        row: guideline table row (e.g. "Impact exercise"), "" when not from a table.
        column: guideline table column (e.g. "Time / volume").
        quote: the table cell (or guidance sentence) verbatim.
        origin: for `ref == "file"`, the file the value was read from.
    """

    ref: str
    row: str = ""
    column: str = ""
    quote: str = ""
    origin: str = ""

    @classmethod
    def from_file(cls, origin: str) -> Source:
        """A value a person wrote (or edited) in a prescription file."""
        return cls(ref="file", origin=origin)

    @property
    def is_guideline(self) -> bool:
        """True when the value was copied from a guideline (not typed by a person)."""
        return self.ref != "file"

    def cite(self) -> str:
        """One-line citation, e.g. `ksbmr-2023 "Impact exercise" × "Time / volume": "10–50 …"`."""
        if self.ref == "file":
            return f"prescription file {self.origin}" if self.origin else "prescription file"
        where = f' "{self.row}" × "{self.column}"' if self.row else ""
        quote = f': "{self.quote}"' if self.quote else ""
        return f"{self.ref}{where}{quote}"


def cite_rule(key: str) -> str:
    """Full citation of a rule source by its `REFERENCES` key."""
    return REFERENCES[key]
