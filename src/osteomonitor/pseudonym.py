"""The one pseudonym rule, and text from files and radios made safe to show.

A recording or a prescription names its patient by a pseudonym only. The same rule holds
wherever a pseudonym enters the program (`prescription new`, `record`, `import`, `live`,
`demo`): letters, digits, '.', '_' or '-', starting with a letter or digit, at most 32
characters. Text that comes from a file or a radio (a pseudonym written by an older or
foreign tool, device names in adverts, notes, event text) is shown as plain text: never
interpreted as markup, control characters shown escaped (`printable`).
"""

from __future__ import annotations

import re
import unicodedata

#: A pseudonym: no spaces (a real name has them), nothing a terminal or markup interprets.
PSEUDONYM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
#: The rule in words, for error messages.
PSEUDONYM_RULE = (
    "use a pseudonym of letters, digits, '.', '_' or '-' (up to 32 characters, e.g. P07); "
    "never a real name"
)


def pseudonym_problem(value: str) -> str | None:
    """Why `value` is not a pseudonym (None when it is one)."""
    if PSEUDONYM_RE.fullmatch(value):
        return None
    return f"'{printable(value)}' is not a pseudonym: {PSEUDONYM_RULE}"


def printable(text: object) -> str:
    """`text` with control and format characters escaped (`\\x1b`, `\\n`, `\\u202e`).

    What remains can go to a terminal without moving the cursor, changing colours or
    reordering the line; markup characters are left as they are (callers that render
    markup must still pass the result as plain text).
    """
    s = str(text)
    if s.isprintable():
        return s
    out = []
    for ch in s:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def pseudonym_arg(value: str) -> str:
    """argparse `type=` for `--patient`: the pseudonym, or a usage error naming the rule."""
    import argparse

    problem = pseudonym_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value
