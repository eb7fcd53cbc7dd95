"""Text from a visitor (link values, file and column names) shown as text, never as Markdown or HTML; and
messages about a run that must not guess its cause wrongly."""
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


def divergence_text(cfg, step: int) -> str:
    """Why a run of cfg stopped as diverged at `step`, without blaming the learning rate for what happened before
    any learning."""
    if step == 0:
        cause = ("your data's values may be too extreme (rescale them), or these settings make the first update "
                 "overflow" if cfg.dataset == "csv"
                 else "these settings make the very first update overflow (a penalty weight, a learning rate)")
        return (f"Training diverged at its first step, before anything was learnt: a loss or weight became NaN or "
                f"infinite. {cause[0].upper()}{cause[1:]}.")
    return (f"Training diverged at step {step:,}: a loss or weight became NaN or infinite. The last finite state is "
            "shown. Try a smaller learning rate (or fewer critic steps).")
