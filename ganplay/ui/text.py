"""Text from a visitor (link values, file and column names) shown as text, never as Markdown or HTML."""
from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character, which Markdown may escape
_AUTOLINK = re.compile(r"(://|(?<=www)(?=\.)|(?<=WWW)(?=\.)|(?=@))")  # where GFM turns plain text into a link
WORD_JOINER = "\u2060"  # invisible, and not a character of a URL or an e-mail address


def as_text(text: str) -> str:
    """text for Streamlit's Markdown bodies (warnings, captions, messages) that renders exactly as written.

    CommonMark lets a backslash escape any ASCII punctuation: so no link, image, heading, emphasis, HTML,
    directive (`:red[...]`) or math (`$`) can start. GFM also links bare URLs and e-mail addresses after
    escapes are read, so an invisible word joiner breaks "://", "www." and "@".
    """
    joined = _AUTOLINK.sub(lambda m: f":{WORD_JOINER}//" if m.group(1) == "://" else WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", joined)
