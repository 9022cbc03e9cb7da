"""A position-keeping SQL lexer, enough to rewrite what the catalog deparses.

``tokens(text)`` splits SQL (a CHECK's ``pg_get_constraintdef``, a ``pg_get_functiondef``) into
tokens that remember where they are, so a mutation can replace one token or drop one span and keep
every other character. Comments, string literals and quoted identifiers are single tokens, so
nothing inside them is ever mistaken for code. With ``dollar_as_code`` the ``$tag$`` delimiters of
dollar-quoted strings are read as blanks and their content as code: that is how a function body,
which ``pg_get_functiondef`` prints between ``$function$`` quotes, is searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, string, quoted, dollar, word, number, op, punct, cast
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_LEX = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>[Ee]'(?:[^'\\]|\\.|'')*'|[BbXxNn]?'(?:[^']|'')*')
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)
    | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*)
    | (?P<cast>::)
    | (?P<param>\$\d+)
    | (?P<op>[-+*/<>=~!@\#%^&|`?]+)
    | (?P<punct>[(),;\[\].:])
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str, *, dollar_as_code: bool = False) -> list[Token]:
    """Every token of ``text``, blanks and comments included, in order."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _LEX.match(text, pos)
        if m is None:
            raise ValueError(f"cannot lex SQL at {pos}: {text[pos:pos + 40]!r}")
        kind = m.lastgroup or "op"
        if kind == "dollar" and not dollar_as_code:
            tag = m.group(0)
            close = text.find(tag, m.end())
            if close < 0:
                raise ValueError(f"unterminated dollar quote {tag}")
            out.append(Token("string", text[pos : close + len(tag)], pos, close + len(tag)))
            pos = close + len(tag)
            continue
        if kind == "dollar":
            kind = "space"
        elif kind == "param":
            kind = "word"
        out.append(Token(kind, m.group(0), pos, m.end()))
        pos = m.end()
    return out


def code(toks: list[Token]) -> list[Token]:
    """The tokens that are code: no blanks, no comments."""
    return [t for t in toks if t.kind not in ("space", "comment")]


def string_value(token: Token) -> str:
    """The value of a plain ``'...'`` literal."""
    body = token.text
    assert body.startswith("'") and body.endswith("'"), body
    return body[1:-1].replace("''", "'")


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def groups(toks: list[Token]) -> list[tuple[int, int]]:
    """(open, close) indexes, in ``toks``, of every pair of parentheses."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, t in enumerate(toks):
        if t.text == "(":
            stack.append(i)
        elif t.text == ")" and stack:
            pairs.append((stack.pop(), i))
    return pairs


def splice(text: str, start: int, end: int, replacement: str) -> str:
    return text[:start] + replacement + text[end:]
