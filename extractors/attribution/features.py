"""Features of the learned decisions, as sparse dicts (string values are one-hot).

Only parse facts and short function-word contexts go in: no content word of a training text is
needed at prediction time except cue lemmas and the one word before a quotation mark, which is
how "so-called", "dubbed" and "the show" mark scare quotes and titles.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.attribution.options import QuoteOptions, SpeakerOption
from extractors.quote_spans import QuoteSpan

_FIRST_PERSON = {"i", "we", "my", "our", "me", "us", "i'm", "we're", "i've", "we've"}
_PRONOUN_NUMBER = {"he": "sg", "she": "sg", "him": "sg", "her": "sg", "it": "sg", "they": "pl", "we": "pl", "i": "sg"}


def bucket(n: int, edges: tuple[int, ...] = (0, 1, 2, 3, 5, 8, 13, 21, 40)) -> str:
    """A count as a coarse class: "0", "1", ..., ">40"."""
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def speech_features(text: str, span: QuoteSpan, content: Span, quote_type: str, title_shaped: bool,
                    title_context: bool, stage: bool, found: QuoteOptions, rule_keep: bool) -> dict:
    quoted = text[span.start:span.end]
    words = quoted.split()
    before = text[span.paragraph_start:span.mark_start].rstrip()
    before_words = before.split()
    word_before = before_words[-1].lower().strip(",:;(") if before_words else "<para>"
    after = text[span.mark_end:span.paragraph_end].lstrip()
    rule = found.options[found.rule_pick] if found.rule_pick is not None else None
    first_cue = found.cues[0] if found.cues else None
    n_caps = sum(1 for w in words if w[:1].isupper())
    lower_words = {w.lower().strip(",.;:!?\"'’“”") for w in words}
    f = {
        "bias_words": bucket(len(words)),
        "quote_type": quote_type,
        "title_shaped": title_shaped,
        "title_context": title_context,
        "stage": stage,
        "rule_keep": rule_keep,
        "starts_lower": quoted[:1].islower(),
        "ends_stop": quoted.rstrip()[-1:] in {".", "!", "?", ","},
        "caps_share": bucket(int(10 * n_caps / max(1, len(words))), (0, 2, 5, 8, 10)),
        "first_person": bool(lower_words & _FIRST_PERSON),
        "has_verb": any(t.pos_ in {"VERB", "AUX"} for t in content),
        "opens_paragraph": span.mark_start == span.paragraph_start,
        "whole_paragraph": span.mark_start == span.paragraph_start and not after,
        "continues": span.continues_previous,
        "word_before": word_before if word_before.isalpha() or word_before == "<para>" else "<punct>",
        "char_before": before[-1:] if before else "<para>",
        "char_after": after[:1] if after and not after[:1].isalnum() else ("<word>" if after else "<end>"),
        "n_cues": bucket(len(found.cues), (0, 1, 2, 3)),
        "cue_lemma": first_cue.lemma_.lower() if first_cue is not None else "<none>",
        "rule_source": rule.source if rule is not None else "<none>",
        "rule_named": rule is not None and rule.speaker.name is not None,
        "n_options": bucket(len(found.options), (0, 1, 2, 3, 5)),
    }
    f["words_x_cue"] = f"{f['bias_words']}|{first_cue is not None}"
    f["words_x_source"] = f"{f['bias_words']}|{f['rule_source']}"
    f["title_x_cue"] = f"{title_shaped}|{first_cue is not None}"
    return f


def none_features(speech: dict) -> dict:
    """Features of a quote's "none of the candidates" row for the speaker choice: its speech
    features (the rules' own decision left out), prefixed "none."."""
    f = {"none.bias": True}
    f.update({f"none.{k}": v for k, v in speech.items() if k != "rule_keep"})
    return f


def text_paragraphs_between(text: str, start: int, end: int) -> int:
    return text.count("\n\n", min(start, end), max(start, end))


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:  # spaCy makes a new Token per access: compare indices
        token, depth = token.head, depth + 1
    return depth


def _tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence (50 when in different sentences)."""
    up = {}
    node, n = a, 0
    while True:
        up[node.i] = n
        if node.head.i == node.i or n > 50:
            break
        node, n = node.head, n + 1
    node, n = b, 0
    while node.i not in up:
        if node.head.i == node.i or n > 50:
            return 50
        node, n = node.head, n + 1
    return n + up[node.i]


def speaker_features(option: SpeakerOption, span: QuoteSpan, content: Span, quote_type: str,
                     previous_speaker: str | None, sentences: tuple[int, int], text: str,
                     root: Token | None = None) -> dict:
    """`sentences`: first and end token of the sentences the quote is in; `text`: the doc's;
    `root`: the quotation's root (`OptionFinder.root_of`; `content.root` when not given)."""
    speaker = option.speaker
    head = option.head
    mention = (speaker.mention or "").lower()
    start = speaker.start if speaker.start is not None else span.start
    after_quote = start >= span.mark_end
    char_distance = start - span.mark_end if after_quote else span.mark_start - (speaker.end or start)
    if head is not None:
        kind = "pronoun" if head.pos_ == "PRON" else head.pos_.lower()
        if head.lower_ in {"who", "that", "which"}:
            kind = "relative"
    else:
        kind = "label" if option.source == "transcript" else "inherited"
    same_sentence = head is not None and sentences[0] <= head.i < sentences[1]
    in_paragraph = span.paragraph_start <= start < span.paragraph_end
    cue: Token | None = option.cue
    pronoun = mention if mention in _PRONOUN_NUMBER else ""
    f = {
        "source": option.source,
        "order": bucket(option.order, (0, 1, 2, 3, 99)),
        "rule_rank": str(option.order) if option.order == 0 else "later",
        "n_sources": bucket(len(option.sources), (1, 2, 3)),
        "kind": kind,
        "named": speaker.name is not None,
        "type": speaker.type or "<none>",
        "has_role": speaker.role is not None,
        "pronoun": pronoun or "<none>",
        "pronoun_number": _PRONOUN_NUMBER.get(pronoun, "<none>"),
        "pronoun_resolved": bool(pronoun) and speaker.name is not None,
        "after_quote": after_quote,
        "distance": bucket(max(0, char_distance) // 10, (0, 1, 2, 4, 8, 16, 32)),
        "same_sentence": same_sentence,
        "same_paragraph": in_paragraph,
        "cue_lemma": cue.lemma_.lower() if cue is not None else "<none>",
        "cue_dep": cue.dep_ if cue is not None else "<none>",
        "head_dep": head.dep_ if head is not None else "<none>",
        "spoke_previous": previous_speaker is not None and speaker.name == previous_speaker,
        "quote_type": quote_type,
    }
    root = root if root is not None else content.root
    if head is not None:
        f["head_depth"] = bucket(_depth(head), (1, 2, 3, 4, 6))
        f["tree_distance"] = bucket(_tree_distance(head, root), (1, 2, 3, 4, 5, 7, 10))
        f["head_is_subject"] = head.dep_ in {"nsubj", "nsubjpass"}
        f["token_distance"] = bucket(min(abs(head.i - content.start), abs(head.i - content.end)), (1, 2, 3, 5, 8, 13, 21, 40))
    if cue is not None:
        f["cue_governs"] = any(a.i == cue.i for a in root.ancestors)
        f["cue_depth"] = bucket(_depth(cue), (0, 1, 2, 3, 5))
        f["cue_x_governs"] = f"{f['cue_lemma']}|{f['cue_governs']}"
    if head is not None and cue is not None:
        # the candidate's relation to the cue and the quote: subject of the very cue that governs
        # the quote, the cue standing between them, or the subject of another verb
        f["subject_of_governing_cue"] = head.dep_ in {"nsubj", "nsubjpass"} and head.head.i == cue.i and f["cue_governs"]
        f["cue_between"] = head.i < cue.i < content.start or content.end <= cue.i < head.i
        f["subject_of_other_verb"] = head.dep_ in {"nsubj", "nsubjpass"} and head.head.i != cue.i
    for source in option.sources:
        f[f"from_{source}"] = True
    if option.source in {"previous_speaker", "continued"} and speaker.start is not None:
        f["paragraphs_back"] = bucket(text_paragraphs_between(text, speaker.start, span.mark_start), (0, 1, 2, 3, 5))
    f["source_x_kind"] = f"{option.source}|{kind}"
    f["source_x_type"] = f"{option.source}|{f['type']}"
    f["source_x_after"] = f"{option.source}|{after_quote}"
    f["source_x_named"] = f"{option.source}|{f['named']}"
    f["kind_x_after"] = f"{kind}|{after_quote}"
    if head is not None and kind in {"noun", "pronoun", "relative"}:
        f["head_lemma"] = head.lemma_.lower()  # "spokesman", "report", "audience", "that"
    if speaker.name:
        # how often the article names this speaker: its main figures speak more often
        f["name_count"] = bucket(text.count(speaker.name.split()[-1]), (1, 2, 3, 5, 8, 13))
    return f


def comparative_features(scored: list, span: QuoteSpan) -> None:
    """Features comparing a candidate with the quote's other candidates, added in place: how
    many candidates name the same speaker, and whether it is the nearest of them to the quote
    (an annotator marks the mention nearest the quote; "he" beside "Eric Ferrero")."""

    def distance(option) -> int:
        s = option.speaker
        if s.start is None:
            return 10**6
        return s.start - span.mark_end if s.start >= span.mark_end else span.mark_start - (s.end or s.start)

    by_name: dict = {}
    for option, _ in scored:
        by_name.setdefault(option.speaker.name or option.speaker.mention, []).append(option)
    for option, f in scored:
        group = by_name[option.speaker.name or option.speaker.mention]
        f["same_name_count"] = bucket(len(group), (1, 2, 3))
        f["nearest_of_name"] = len(group) > 1 and distance(option) == min(distance(o) for o in group)
        f["nearest_x_kind"] = f"{f['nearest_of_name']}|{f['kind']}"


def subject_kind(mention: str | None, name: str | None) -> str:
    """What kind of mention a reported clause's speaker is: for its calibrated confidence."""
    if not mention:
        return "none"
    if mention.lower() in _PRONOUN_NUMBER or mention.lower() in {"you", "who"}:
        return "pronoun_named" if name else "pronoun"
    return "named" if name else "description"


_SPEAKING_PRONOUNS = frozenset({"he", "she", "they", "we", "i"})


def reported_features(cue: Token, content: Span, subject: Token | None, how: str, listed: bool, rules,
                      sentence: Span) -> dict:
    """`sentence`: the cue's sentence."""
    lemma = cue.lemma_.lower()
    clause_deps = {c.dep_ for c in cue.children if c.i >= content.start and c.i < content.end}
    first = content[0]
    f = {
        "how": how,
        "listed": listed,
        "cue_lemma": lemma,
        "cue_class": ("cue" if lemma in rules.cue_lemmas else "belief" if lemma in rules.belief_lemmas
                      else "stance" if lemma in rules.stance_objects else "according" if cue.lower_ == "according"
                      else "other"),
        "cue_tag": cue.tag_,
        "cue_dep": cue.dep_,
        "content_dep": ",".join(sorted(clause_deps)) or "<none>",
        "content_len": bucket(len(content)),
        "content_after_cue": content.start > cue.i,
        "that": first.lower_ == "that",
        "first_pos": first.pos_,
        "negated": any(c.dep_ == "neg" for c in cue.children),
        "subject_kind": subject.pos_ if subject is not None else "<none>",
        "subject_ent": subject.ent_type_ if subject is not None and subject.ent_type_ else "<none>",
        "subject_pronoun": subject.lower_ if subject is not None and subject.pos_ == "PRON" else "<none>",
        "in_question": sentence[-1].text == "?" or (len(sentence) > 1 and sentence[-2].text == "?"),
        "modal": next((c.lower_ for c in cue.children if c.tag_ == "MD"), "<none>"),
        "has_subject": subject is not None,
        "imperative": subject is None and cue.tag_ == "VB" and cue.i == sentence.start,
    }
    f["len_x_first_pos"] = f"{f['content_len']}|{f['first_pos']}"
    f["class_x_modal"] = f"{f['cue_class']}|{f['modal']}"
    f["class_x_tag"] = f"{f['cue_class']}|{cue.tag_}"
    f["lemma_x_dep"] = f"{lemma}|{f['content_dep']}"
    f["how_x_subject"] = f"{how}|{f['subject_kind']}"
    verb_subject = next((c for c in cue.children if c.dep_ == "nsubj"), None) if cue.pos_ == "VERB" else None
    f["speaker_like"] = verb_subject is not None and (verb_subject.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}
                                                      or verb_subject.lower_ in _SPEAKING_PRONOUNS)
    f["how_x_lemma"] = f"{how}|{lemma}"
    f["one_pronoun"] = len(content) == 1 and first.pos_ == "PRON"
    root = content.root
    f["root_dep"] = root.dep_
    f["root_pos"] = root.pos_
    f["prep"] = root.head.lower_ if root.dep_ in {"pobj", "pcomp"} else "<none>"
    f["lemma_x_prep"] = f"{lemma}|{f['prep']}"
    f["subject_lemma"] = subject.lemma_.lower() if subject is not None and subject.pos_ == "NOUN" else "<none>"
    f["cue_dep_x_how"] = f"{cue.dep_}|{how}"
    return f
