"""Names without the words written in front of them."""

from __future__ import annotations

from extractors.rules import Rules


def strip_titles(words: list[str], rules: Rules) -> list[str]:
    """Drop honorifics, title words and "the" from the front of a name's words.

    ["President", "Donald", "Trump"] -> ["Donald", "Trump"]; ["Mr", "Peskov"] -> ["Peskov"];
    ["the", "Kremlin"] -> ["Kremlin"]. The lists are data: `rules.is_honorific`, `rules.is_title`.
    """
    words = list(words)
    while words and (rules.is_honorific(words[0]) or rules.is_title(words[0]) or words[0].lower() == "the"):
        words.pop(0)
    return words
