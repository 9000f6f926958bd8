"""Quote attribution on short texts, with the real spaCy model."""

from __future__ import annotations

import pytest

from extractors.attribution import attribute_quotes


def quotes_of(nlp, rules, text):
    """Quotations only: reported speech has tests of its own below."""
    return attribute_quotes(nlp(text), "article", rules, indirect=False)


def only(nlp, rules, text):
    found = quotes_of(nlp, rules, text)
    assert len(found) == 1, [q.quote_text for q in found]
    return found[0]


@pytest.mark.parametrize(
    "text, speaker, cue",
    [
        # cue after the quote
        ("“We’ll see, let’s be patient,” Mr Peskov said.", "Peskov", "said"),
        # inverted cue
        ("“We will talk on Saturday,” said Dmitry Peskov.", "Dmitry Peskov", "said"),
        # cue before the quote with a colon
        ("Asked about Ukraine, Peskov said: “This is the first telephone contact.”", "Peskov", "said"),
        # told + audience
        ("Kellyanne Conway told CBS: “I assume they will discuss terrorism.”", "Kellyanne Conway", "told"),
        # tweeted
        ("Earlier this month, Donald Trump tweeted: “Both countries will work together!”", "Donald Trump", "tweeted"),
        # according to
        ("“The call went well and lasted an hour,” according to Dmitry Peskov.", "Dmitry Peskov", "according"),
        # name between quote and cue
        ("“We must stand by our allies in the region”, Portman, co-chairman of the caucus, said on Friday.",
         "Portman", "said"),
    ],
)
def test_speaker_and_cue(nlp, rules, text, speaker, cue):
    quote = only(nlp, rules, text)
    assert quote.speaker == speaker
    assert quote.cue == cue
    assert text[quote.start_char:quote.end_char] == quote.quote_text
    assert text[quote.cue_start:quote.cue_end] == cue


def test_honorific_resolves_to_the_fullest_name_in_the_article(nlp, rules):
    text = (
        "Mr Putin's spokesman, Dmitry Peskov, spoke on Friday.\n\n"
        "“This is the first telephone contact,” Mr Peskov said."
    )
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_mention) == ("Dmitry Peskov", "Mr Peskov")


def test_pronoun_takes_the_gender_compatible_earlier_subject(nlp, rules):
    text = (
        "Ms Conway said Mr Trump and Mr Putin would discuss terrorism. "
        "“If another nation wishes to join us, we’ll be listening,” she added."
    )
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_mention, quote.cue) == ("Conway", "she", "added")


def test_pronoun_skips_people_named_inside_the_quote(nlp, rules):
    text = (
        "Donald Trump spoke to Fox News on Thursday. "
        "“I don’t know Putin, but getting along with Russia is a great thing,” he said."
    )
    assert only(nlp, rules, text).speaker == "Donald Trump"


def test_quote_opening_the_sentence_after_a_reporting_sentence(nlp, rules):
    text = (
        "Putin's press secretary Dmitry Peskov said that firm agreements were unlikely. "
        "“This is the first telephone contact since President Trump took office.”"
    )
    quote = only(nlp, rules, text)
    assert quote.speaker == "Dmitry Peskov"


def test_unnamed_source_keeps_its_description_and_no_name(nlp, rules):
    text = "“Sanctions have not been strong enough,” said a senior U.S. defense official."
    quote = only(nlp, rules, text)
    assert quote.speaker is None
    assert quote.speaker_mention == "a senior U.S. defense official"


@pytest.mark.parametrize(
    "text, quoted, speaker",
    [
        # partial quotes belong to the subject of the verb that reports them
        ("Mr Trump called the documents “fake news” on Friday.", "fake news", "Trump"),
        ("In a speech, Donald Trump attacked “the hateful ideology of radical Islam.”",
         "the hateful ideology of radical Islam.", "Donald Trump"),
        ("Mr Peskov said the senator's plan was “absolutely wrong”.", "absolutely wrong", "Peskov"),
    ],
)
def test_partial_quote_speaker(nlp, rules, text, quoted, speaker):
    quote = only(nlp, rules, text)
    assert (quote.quote_text, quote.quote_type, quote.speaker) == (quoted, "partial", speaker)


@pytest.mark.parametrize(
    "text, quoted, quote_type",
    [
        ("Ms Conway said “all of that is under consideration”.", "all of that is under consideration", "partial"),
        ("He said those behind the dossier were “worse than prostitutes”.", "worse than prostitutes", "partial"),
        ("Conway said: “All of that is under consideration.”", "All of that is under consideration.", "direct"),
    ],
)
def test_quote_type(nlp, rules, text, quoted, quote_type):
    quote = only(nlp, rules, text)
    assert (quote.quote_text, quote.quote_type) == (quoted, quote_type)


@pytest.mark.parametrize(
    "text",
    [
        # a show title inside a reporting sentence
        "Conway told CBS’ “This Morning” show that talks would start.",
        # a scare quote with no reporting verb
        "The so-called “reset” with Moscow failed years ago.",
        "The “reset” with Moscow failed years ago.",
        # a nickname, after a naming word or inside a name
        "Trump answered Cruz by calling him the nickname “Lyin' Ted” again.",
        "His niece, state delegate Marcia “Cia” Price, shouted from the stage.",
        # a headline fragment, all capitalised, after a possessive
        "He shared CNN's “Trump Wins Big” on Twitter.",
        # a transcript's stage direction
        "“(CROSSTALK.)” Pence said.",
    ],
)
def test_titles_and_scare_quotes_are_not_quotes(nlp, rules, text):
    assert quotes_of(nlp, rules, text) == []


def test_one_bad_mark_does_not_cost_the_article(nlp, rules):
    text = (
        "He said “this quote is never closed and goes on\n\n"
        "“We’ll see what happens,” Trump said of the call."
    )
    found = quotes_of(nlp, rules, text)
    assert [q.quote_text for q in found][-1] == "We’ll see what happens,"
    assert found[-1].speaker == "Trump"


@pytest.mark.parametrize(
    "text, content, speaker, cue",
    [
        ("Mr Peskov said he was unaware of any plans to lift the sanctions.",
         "he was unaware of any plans to lift the sanctions", "Peskov", "said"),
        ("The museum, Mr. Bush said, celebrated several of his heroes.",
         "The museum, Mr. Bush said, celebrated several of his heroes", "Bush", "said"),
        ("According to Reuters, the two leaders will speak on Saturday.",
         "the two leaders will speak on Saturday", "Reuters", "According"),
        ("Donald Trump wants to build a wall on the border.", "to build a wall on the border", "Donald Trump", "wants"),
        # stance verbs report their object
        ("Senator Graham criticized the new sanctions bill.", "the new sanctions bill", "Graham", "criticized"),
        ("The senator called for steep new tariffs on steel.", "steep new tariffs on steel", None, "called"),
        ("Mr Peskov urged Washington to lift the sanctions.", "Washington to lift the sanctions", "Peskov", "urged"),
        # of two complements, the one after the cue is what was said
        ("It is unlikely; Mr Peskov says the talks will continue next week.",
         "the talks will continue next week", "Peskov", "says"),
    ],
)
def test_reported_speech(nlp, rules, text, content, speaker, cue):
    found = [q for q in attribute_quotes(nlp(text), "article", rules) if q.quote_type == "indirect"]
    assert [(q.quote_text, q.speaker, q.cue) for q in found] == [(content, speaker, cue)]


def test_only_the_outermost_report_is_an_attribution(nlp, rules):
    text = "Mr Peskov said the senator had criticized the new sanctions bill."
    found = [q for q in attribute_quotes(nlp(text), "article", rules) if q.quote_type == "indirect"]
    assert [(q.quote_text, q.cue) for q in found] == [("the senator had criticized the new sanctions bill", "said")]


@pytest.mark.parametrize(
    "text",
    [
        "The senator built a new house on the river.",  # no stance verb
        "Mr Peskov said nothing.",  # too short to be a report
    ],
)
def test_no_reported_speech(nlp, rules, text):
    assert [q for q in attribute_quotes(nlp(text), "article", rules) if q.quote_type == "indirect"] == []


def test_reported_speech_holding_a_quotation_is_the_quotation(nlp, rules):
    text = "Ms Conway said “all of that is under consideration”."
    found = attribute_quotes(nlp(text), "article", rules)
    assert [q.quote_type for q in found] == ["partial"]


def test_lead_in_paragraph_ending_with_a_colon(nlp, rules):
    text = (
        "Speaking to reporters on Friday, Senator John McCain said:\n\n"
        "“I hope President Trump remembers that Vladimir Putin is a thug.”"
    )
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.cue) == ("John McCain", "said")


@pytest.mark.parametrize(
    "text, speaker, mention, cue",
    [
        # NER takes the inverted cue into the name ("Said Mark Ellis"), or finds no name at all
        ('Said Mark Ellis: "We will win this election in November."', "Mark Ellis", "Mark Ellis", "Said"),
        ('Said Ellis: "We will win this election in November."', "Ellis", "Ellis", "Said"),
        # "as X put it"
        ("As Ms. Simonyan put it in a statement, the channel is “providing a perspective you won't get.”",
         "Simonyan", "Ms. Simonyan", "put"),
        # a participle after the person it is footage of
        ("The ad uses footage of Hillary Clinton asking, “Why aren't I 50 points ahead?”",
         "Hillary Clinton", "Hillary Clinton", "asking"),
        # a cue inside a prepositional phrase shares the clause's subject
        ("Dean appeared on MSNBC and began by saying he would “never diagnose someone through television.”",
         "Dean", "Dean", "saying"),
        # cue words after the quote
        ("“We will not back down from this fight,” Mr Peskov added.", "Peskov", "Mr Peskov", "added"),
        ("“The sanctions will hurt ordinary people,” Dmitry Peskov wrote in a statement.",
         "Dmitry Peskov", "Dmitry Peskov", "wrote"),
    ],
)
def test_speaker_mention_and_cue(nlp, rules, text, speaker, mention, cue):
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_mention, quote.cue) == (speaker, mention, cue)


@pytest.mark.parametrize(
    "text, speaker, speaker_type",
    [
        ("The Kremlin said in a statement: “We will respond to the sanctions.”", "Kremlin", "ORG"),
        ("“We will respond to the sanctions,” the White House said in a statement.", "White House", "ORG"),
        ("Russia said: “We will respond to the sanctions.”", "Russia", "GPE"),
        ("“We will respond to the sanctions,” Dmitry Peskov said.", "Dmitry Peskov", "PERSON"),
        # unnamed: no type
        ("“Sanctions have not been strong enough,” said a senior U.S. defense official.", None, None),
    ],
)
def test_speaker_type(nlp, rules, text, speaker, speaker_type):
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_type) == (speaker, speaker_type)


@pytest.mark.parametrize(
    "text, speaker, role",
    [
        ("“We will see, let us be patient,” Dmitry Peskov, Putin's spokesman, said.", "Dmitry Peskov", "Putin's spokesman"),
        ("“We will see, let us be patient,” Putin's spokesman, Dmitry Peskov, said.", "Dmitry Peskov", "Putin's spokesman"),
        ("Kremlin spokesman Dmitry Peskov said: “We will see, let us be patient.”", "Dmitry Peskov", "Kremlin spokesman"),
        # carried from an earlier mention of the same person
        ("Kremlin spokesman Dmitry Peskov spoke on Friday.\n\n“We will see, let us be patient,” Mr Peskov said.",
         "Dmitry Peskov", "Kremlin spokesman"),
        # an honorific is no role
        ("“We will see, let us be patient,” Mr Peskov said.", "Peskov", None),
    ],
)
def test_speaker_role(nlp, rules, text, speaker, role):
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_role) == (speaker, role)


@pytest.mark.parametrize(
    "text, speaker, mention",
    [
        # an earlier mention ties the description to a name
        ("Kremlin spokesman Dmitry Peskov spoke on Friday.\n\n“We will see, let us be patient,” the spokesman said.",
         "Dmitry Peskov", "the spokesman"),
        # no name for the description in the article: kept as an unnamed source
        ("“We will see, let us be patient,” the spokesman said.", None, "the spokesman"),
        # an indefinite description is someone new, never resolved
        ("Kremlin spokesman Dmitry Peskov spoke on Friday.\n\n“We will see, let us be patient,” a spokesman said.",
         None, "a spokesman"),
        # two named people fit the description: no guess
        ("Kremlin spokesman Dmitry Peskov and White House spokesman Sean Spicer spoke on Friday.\n\n"
         "“We will see, let us be patient,” the spokesman said.", None, "the spokesman"),
        ("“Sanctions have not been strong enough,” said a source in Berlin.", None, "a source in Berlin"),
    ],
)
def test_descriptions(nlp, rules, text, speaker, mention):
    quote = only(nlp, rules, text)
    assert (quote.speaker, quote.speaker_mention) == (speaker, mention)


def test_multi_sentence_quote_is_one_quotation(nlp, rules):
    text = "“We’ll see. Let’s be patient. The call went well,” Mr Peskov said on Friday."
    quote = only(nlp, rules, text)
    assert quote.quote_text == "We’ll see. Let’s be patient. The call went well,"
    assert quote.speaker == "Peskov"


def test_paragraph_reopening_the_mark_continues_the_quote(nlp, rules):
    text = (
        "Kellyanne Conway told reporters on Friday: “We agreed to meet again in the spring. There is a lot to do.\n\n"
        "“We are not in a hurry. Nobody is.”"
    )
    found = quotes_of(nlp, rules, text)
    assert [q.quote_text for q in found] == [
        "We agreed to meet again in the spring. There is a lot to do.", "We are not in a hurry. Nobody is."]
    assert [q.speaker for q in found] == ["Kellyanne Conway", "Kellyanne Conway"]


def test_lead_in_with_a_colon_in_the_same_sentence(nlp, rules):
    text = "Kellyanne Conway spoke to reporters on Friday: “We agreed to meet again in the spring.”"
    assert only(nlp, rules, text).speaker == "Kellyanne Conway"


@pytest.mark.parametrize(
    "text",
    [
        '"We will see what happens next," Mr Peskov said.',  # straight marks
        "“We will see what happens next,” Mr Peskov said.",  # curly marks
        "“We will see what happens next,\" Mr Peskov said.",  # mixed, sloppy typing
    ],
)
def test_straight_and_curly_marks(nlp, rules, text):
    quote = only(nlp, rules, text)
    assert (quote.quote_text, quote.speaker) == ("We will see what happens next,", "Peskov")


def test_a_stance_verb_with_a_lone_pronoun_object_reports_nothing(nlp, rules):
    text = "Putin rang Trump in November to congratulate him on winning the election."
    found = [q.quote_text for q in attribute_quotes(nlp(text), "article", rules) if q.quote_type == "indirect"]
    assert "him" not in found


def test_a_crosshead_on_the_line_above_is_not_a_role(nlp, rules):
    text = (
        "Prostitutes\n\n"
        "Russia has vehemently denied any interference in the electoral process, and Putin laughed off claims."
    )
    found = [q for q in attribute_quotes(nlp(text), "article", rules) if q.speaker == "Russia"]
    assert found and all(q.speaker_role is None for q in found)
