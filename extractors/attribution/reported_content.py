"""Reported-speech candidates: for a token, the content it may report and how it was found.

The generators are deliberately generous; the learned `reported` decision chooses among them:
- a listed cue (`cue_verbs.txt`, `belief_verbs.txt`, `stance_verbs.txt`, "according to"): its
  clause, infinitive or stance object; when the parse gives none, its object or prepositional
  object as for any verb ("said the same of Trump", "asked about the plan");
- any other verb with a clausal complement ("X conceded that ...");
- any other verb: its infinitive, its object (a pronoun too: "denounced him"), else its
  prepositional object ("focused on Trump"); in the passive with an agent, its subject ("Cruz
  was endorsed by Fiorina");
- a noun: its "that" clause ("his claim that ..."), else the object of its preposition
  ("criticism of Trump", "support for Clinton");
- "be" with an adjective: the adjective's clause or prepositional object ("is critical of",
  "are concerned that").
Content is (first token, end token, fewest tokens it may have).
"""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.cues import is_bare_clause

Content = tuple[int, int, int]

# Prepositions whose object is what a noun cue is about ("criticism of", "support for").
NOUN_PREPOSITIONS = frozenset({"of", "for", "on", "about", "against", "over", "with", "to", "toward", "towards"})


def _prepositional_object(head: Token) -> Token | None:
    """The object of a head's first preposition ("focused on <Trump>"), if any."""
    for child in head.rights:
        if child.dep_ == "prep":
            target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
            if target is not None:
                return target
    return None


class ContentFinder:
    """What a token may report, in one article."""

    def __init__(self, doc, rules, people):
        self.doc = doc
        self.rules = rules
        self.people = people

    def find(self, token: Token, listed: bool) -> tuple[Content | None, str]:
        """(content or None, how it was found) for a token; listed: it is a listed cue."""
        if listed:
            content = self._reported_content(token)
            if content is None and token.pos_ == "VERB":
                content, how = self.verb_object(token)
                return content, "listed_" + how
            return content, "listed"
        if token.pos_ == "VERB" and any(c.dep_ == "ccomp" for c in token.children):
            return self._reported_content(token), "verb_clause"
        if token.pos_ == "NOUN":
            return self._noun_content(token)
        if token.pos_ == "VERB":
            return self.verb_object(token)
        if token.pos_ == "AUX" and token.lemma_ == "be":
            return self._adjective_content(token)
        return None, ""

    def not_a_report(self, cue: Token) -> bool:
        """Candidates the rules exclude: a cue in the future ("will discuss") or an imperative
        ("Expect many tweets"), and "is expected to" with nobody doing the expecting."""
        if any(c.dep_ == "aux" and c.lower_ in self.rules.future_modals for c in cue.children):
            return True
        if cue.tag_ == "VB" and cue.i == self.people.sent(cue).start and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in cue.children):
            return True
        return (cue.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in cue.children)
                and not any(c.dep_ == "agent" for c in cue.children))

    def only_name(self, start_i: int, end_i: int) -> bool:
        """Content that is only a name ("describing Russia as ...", "criticized Trump"): PolNeAR
        annotates some, but a bare name says nothing a reader can use, so it is no candidate."""
        span = self.doc[start_i:end_i]
        while len(span) and span[-1].is_punct:
            span = span[:-1]
        entity = self.people._entity_at.get(span.start) if len(span) else None
        if entity is not None and entity.start == span.start and entity.end == span.end:
            return True
        return 0 < len(span) <= 4 and all(
            t.pos_ == "PROPN" or self.rules.is_honorific(t.text) or self.rules.is_title(t.text) or t.lower_ == "the"
            for t in span)

    def verb_object(self, verb: Token) -> tuple[Content | None, str]:
        """"X praised the plan", "X vowed to fight", "X focused on Y", "Y was endorsed by X":
        what a verb takes, for the model to judge by its lemma whether that is a stance."""
        if any(c.dep_ == "agent" for c in verb.children):
            subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
            if subject is not None:
                return (subject.left_edge.i, subject.right_edge.i + 1, 1), "passive_subject"
        for child in verb.rights:
            if child.dep_ == "xcomp":
                return (child.left_edge.i, child.right_edge.i + 1, 3), "verb_xcomp"
            if child.dep_ == "dobj":
                end = child.right_edge.i + 1
                for complement in verb.rights:
                    if complement.i > child.i and complement.dep_ in {"oprd", "xcomp", "ccomp", "prep"}:
                        end = complement.right_edge.i + 1
                        break
                return (child.left_edge.i, end, 2), "verb_object"
        target = _prepositional_object(verb)
        if target is not None:
            return (target.left_edge.i, target.right_edge.i + 1, 1), "verb_prep"
        return None, "verb_object"

    def _adjective_content(self, be: Token) -> tuple[Content | None, str]:
        """"X is critical of Y", "X is concerned that ...": an adjective's complement."""
        for adjective in be.rights:
            if adjective.dep_ != "acomp":
                continue
            for child in adjective.rights:
                if child.dep_ in {"ccomp", "xcomp"}:
                    return (child.left_edge.i, child.right_edge.i + 1, 1), "adjective_clause"
                if child.dep_ == "prep":
                    target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                    if target is not None:
                        return (target.left_edge.i, target.right_edge.i + 1, 1), "adjective_prep"
        return None, "adjective"

    def _noun_content(self, noun: Token) -> tuple[Content | None, str]:
        """"his claim that ...": a noun's clause opened by "that"; "criticism of Trump": the
        object of its preposition."""
        for child in noun.rights:
            if child.dep_ in {"acl", "ccomp"} and any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
                return (child.left_edge.i, child.right_edge.i + 1, 3), "noun_clause"
        for child in noun.rights:
            if child.dep_ == "prep" and child.lower_ in NOUN_PREPOSITIONS:
                target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if target is not None:
                    return (target.left_edge.i, target.right_edge.i + 1, 1), "noun_prep"
        return None, "noun_clause"

    def _reported_content(self, cue: Token) -> Content | None:
        """What a listed cue (or a verb with a clausal complement) reports, or None.

        "X said (that) <clause>" and "X believes <clause>": the clausal complement, the one
        after the cue when there are two ("It is unlikely; his team says she'll continue");
        "X said after the vote he would resign": a clause without a conjunction the parse took
        for an adverbial one;
        "X wants to <do>", "X urged them to <do>": the infinitive;
        "<clause>, X said, <clause>": the clause the cue interrupts, as one hull;
        "X criticized <object>", "X called for <object>": the object of a stance verb.
        """
        if cue.lower_ == "according":
            start_end = self._according_content(cue)
            return (*start_end, 4) if start_end else None
        lemma = cue.lemma_.lower()
        clauses = [c for c in cue.children if c.dep_ == "ccomp"]
        clause = next((c for c in clauses if c.i > cue.i), clauses[0] if clauses else None)
        if clause is None and lemma in self.rules.cue_lemmas:
            clause = next((c for c in cue.rights if c.dep_ == "advcl" and is_bare_clause(c)), None)
        if clause is None and (lemma in self.rules.belief_lemmas or lemma in self.rules.cue_lemmas):
            clause = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
            if clause is not None and lemma not in self.rules.belief_lemmas:
                # "urged Congress to act": the addressee belongs to what was urged
                addressee = next((c for c in cue.children if c.dep_ == "dobj" and c.i < clause.i), None)
                if addressee is not None:
                    return addressee.left_edge.i, clause.right_edge.i + 1, 3
        if clause is not None:
            return clause.left_edge.i, clause.right_edge.i + 1, 3
        if cue.dep_ == "parataxis" and cue.head.pos_ in {"VERB", "AUX"}:
            head = cue.head
            return head.left_edge.i, head.right_edge.i + 1, 3
        return self._stance_object(cue)

    def _stance_object(self, cue: Token) -> Content | None:
        """"X criticized the plan", "X called the charges fabricated", "X called for tariffs"."""
        prepositions = self.rules.stance_objects.get(cue.lemma_.lower())
        if not prepositions:
            return None
        for child in cue.rights:
            if child.dep_ == "dobj" and "" in prepositions:
                end = child.right_edge.i + 1
                for complement in cue.rights:
                    if complement.i > child.i and complement.dep_ in {"oprd", "xcomp", "ccomp"}:
                        end = complement.right_edge.i + 1  # "called the charges fabricated"
                    elif complement.i > child.i and complement.dep_ == "prep" and complement.lower_ in prepositions:
                        end = complement.right_edge.i + 1  # "accused her of lying"
                return self._content_or_none(child.left_edge.i, end)
            if child.dep_ == "prep" and child.lower_ in prepositions:
                target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if target is not None:
                    return self._content_or_none(target.left_edge.i, target.right_edge.i + 1)
        return None

    def _content_or_none(self, start: int, end: int) -> Content | None:
        """A stance verb's object as content, unless it is a lone pronoun ("to congratulate him"):
        that reports nothing a reader could look up."""
        if end - start == 1 and self.doc[start].pos_ == "PRON":
            return None
        return start, end, 1

    def _according_content(self, according: Token) -> tuple[int, int] | None:
        """The longer side of the sentence around "according to X"."""
        sentence = self.people.sent(according)
        phrase = list(according.subtree)
        left = (sentence.start, phrase[0].i)
        right = (phrase[-1].i + 1, sentence.end)
        start, end = max(left, right, key=lambda r: r[1] - r[0])
        while start < end and self.doc[start].is_punct:
            start += 1
        return (start, end) if end - start >= 4 else None
