"""Priority of a case from its category, the routing floor and who is asking.

Pure: no Django, no database, no clock (the caller passes the ages of the
customer's earlier cases in ``MentionFacts``). Priorities run from ``P1``
(emergency, highest) to ``P4`` (low); every factor can only raise the
priority that the category starts from, never lower it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.text import TextIndex, compile_phrase

if TYPE_CHECKING:
    from cases.routing import MentionFacts

PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_PRIORITY = "P3"
PRAISE_PRIORITY = "P4"
EMERGENCY_PRIORITY = "P1"

# A public complaint or question left unanswered is seen by everyone who
# follows its author; above this reach it is worth answering first.
HIGH_REACH_FOLLOWERS = 100_000
HIGH_REACH_PRIORITY = "P2"
# The paid badge says little about reach, but a verified account that
# complains is usually a public figure or an institution.
VERIFIED_COMPLAINT_PRIORITY = "P2"
# Someone who had to write this many times in this many days is not being
# helped by the normal queue.
REPEAT_CONTACT_CASES = 3
REPEAT_CONTACT_DAYS = 7
REPEAT_CONTACT_PRIORITY = "P2"
NEGATIVE_WORDING_PRIORITY = "P2"
PATIENT_SAFETY_PRIORITY = "P2"

# Categories where who is asking changes the urgency. Praise and noise
# (spam, news, greetings) do not become urgent because the sender is big.
REACH_CATEGORIES = frozenset({"complaint", "inquiry"})

# Outrage, insults and accusations, not the ordinary disappointment of a
# complaint ("late", "للأسف"): these are the complaints that go viral.
NEGATIVE_WORDING = tuple(
    compile_phrase(phrase)
    for phrase in (
        "زفت|مهزله|مهازل|فضيحه|فضايح|مسخره|كارثه|كارثي*|قرف*|مقرف*|تخلف|متخلف*",
        "حسبي الله|حسبنا الله|حرام عليكم|الله ياخذ*|الله لا يوفق*|لا حول ولا قوه",
        "ظلم|ظالم*|فساد|فاسد*|سرقه|حراميه|نصب|نصابين|واسطه|واسطات",
        "اهانه|اهانتي|وقح*|قله ادب|قليل* ادب|قله احترام|استهتار|مستهتر*|اهمال|مهمل*",
        "اسوا|اسوء|سيء جدا|سيي* جدا|ابشع|فاشل*|فشل|مصيبه|ماساوي|ماساه|المحاسبه|محاسبه|حاسبوا|accountab*|tragic|disaster",
        "disgust*|disgrace*|pathetic|worst|outrage*|shame*|useless|ridiculous|unacceptable",
        "scandal*|corrupt*|negligen*|incompetent|insult*|rude|horrible|terrible|awful|joke",
    )
)

# Complaints about harm done by the service itself (wrong or expired
# medicine, medical errors, a patient left in pain, humiliation): a health
# ministry answers these first however calmly they are written.
PATIENT_SAFETY = tuple(
    compile_phrase(phrase)
    for phrase in (
        "خطا طبي|خطأ طبي|اخطاء طبيه|اهمال طبي|دوا* غلط|علاج غلط|تحاليل غلط|التحاليل طلعت غلط|نتيجه غلط|تشخيص غلط",
        "منتهي* الصلاحيه|انتهت صلاحيت*|يتالم|تتالم|يتوجع|تتوجع|مهين*|اهان*|اهانه|عنجهيه|نطالب بالتحقيق|تحقيق",
        "medical error|malpractice|wrong medicine|wrong medication|wrong dose|wrong diagnosis|expired|in pain|without examining|without even examining|بدون فحص|بدون كشف",
        "humiliat*|investigat*|wrong patient",
    )
)


# Complaints about a hazard nobody has been hurt by yet, or about the old,
# the disabled and the sick being put at risk: not an emergency, but the
# next one if it waits in the normal queue.
SAFETY_RISK_PRIORITY = "P2"
SAFETY_RISK = tuple(
    compile_phrase(phrase)
    for phrase in (
        "خطر|خطير|خطوره|يشكل خطر|مكشوف*|بدون حواجز|حفره|ملوث*|تلوث|مظلم*|ظلام|الحر ما ينطاق|بدون تكييف|ما فيه تكييف",
        "سلك* كهربا* مكشوف*|تسرب* موي*|تسريب موي*|ماء الشرب|مياه الشرب|موي* الشرب|طفايه* منتهي*|طفايات منتهي*",
        "كبار السن|كبير* بالسن|كبير* في السن|معاق*|ذوي الاعاقه|كرسي متحرك|بالكرسي|خلص علاجي|خلص دواي*|بدون علاج|بدون دوا*",
        "dangerous|unsafe|hazard*|not safe|contaminat*|drinking water|exposed wire*|elderly|wheelchair|disabled",
        "ran out of medication|out of medication|out of medicine|fire extinguisher|no ac|in this heat",
        "privacy|data leak|الخصوصيه|بياناتي",
        "الاسعاف تاخر*|تاخر* الاسعاف|ambulance took|ambulance was late|ambulance came late|late ambulance",
        "تزحلق*|تزلق*|زلق|مبلول*|slippery|wet floor",
    )
)
# The same failure again and again: the normal queue has already failed them.
REPEATED_FAILURE_PRIORITY = "P2"
REPEATED_FAILURE = tuple(
    compile_phrase(phrase)
    for phrase in (
        "ثلاث مرات|ثالث مره|للمره الثالثه|للمره الرابعه|رابع مره|اربع مرات|خمس مرات|* مرات|* بلاغات|نفس المشكله|كل مره نفس",
        "صار لي سنه|صار لي سنتين|صارلي سنه|من سنه|لي سنه",
        "third time|fourth time|fifth time|3 times|three times|4 times|four times|* times now|again and again|repeatedly|for a year|a year now",
    )
)


# Every phrase ``score`` may look up: routing indexes them with the rules'.
WORDING_PHRASES = NEGATIVE_WORDING + PATIENT_SAFETY + SAFETY_RISK + REPEATED_FAILURE


def rank(priority: str) -> int:
    """0 for P1 (highest) to 3 for P4; raises ValueError for anything else."""
    try:
        return PRIORITIES.index(priority)
    except ValueError:
        raise ValueError(f"unknown priority {priority!r}") from None


def repeat_count(ages_days: tuple[float, ...], days: float) -> int:
    """How many earlier cases are at most ``days`` old."""
    return sum(1 for age in ages_days if 0 <= age <= days)


def score(
    decision_floor: str | None,
    facts: MentionFacts,
    category: str,
    *,
    rule_name: str | None = None,
    index: TextIndex | None = None,
) -> tuple[str, tuple[str, ...]]:
    """Return the priority and the codes of the factors that set it.

    - The category starts it: praise at P4, an emergency at P1, the rest P3.
    - A routing rule's floor ("rule:<name>") raises it.
    - For complaints and inquiries: at least 100,000 followers ("followers")
      and three cases in seven days ("repeat_contact") raise it to P2.
    - A complaint from a verified account ("verified"), in outraged wording
      ("negative_wording") or about harm done by the service
      ("patient_safety": wrong or expired medicine, a patient left in pain),
      about a hazard or vulnerable people put at risk ("safety_risk") or
      about the same failure again and again ("repeated_failure") goes to P2.
    - The reasons are the factors at the final level, so they say why the
      case is exactly this urgent; "default" when nothing raised P3.
    """
    factors: list[tuple[str, str]] = []
    if category == "praise":
        factors.append(("praise", PRAISE_PRIORITY))
    elif category == "emergency":
        factors.append(("emergency", EMERGENCY_PRIORITY))
    else:
        factors.append(("default", DEFAULT_PRIORITY))
    if decision_floor is not None:
        rank(decision_floor)
        factors.append((f"rule:{rule_name}" if rule_name else "rule", decision_floor))
    if category in REACH_CATEGORIES:
        if facts.followers is not None and facts.followers >= HIGH_REACH_FOLLOWERS:
            factors.append(("followers", HIGH_REACH_PRIORITY))
        recent = repeat_count(facts.recent_case_ages_days, REPEAT_CONTACT_DAYS)
        if recent >= REPEAT_CONTACT_CASES:
            factors.append(("repeat_contact", REPEAT_CONTACT_PRIORITY))
    if category == "complaint":
        if facts.verified:
            factors.append(("verified", VERIFIED_COMPLAINT_PRIORITY))
        index = index if index is not None else TextIndex(facts.text)
        if any(index.find(phrase) for phrase in NEGATIVE_WORDING):
            factors.append(("negative_wording", NEGATIVE_WORDING_PRIORITY))
        if any(index.find(phrase) for phrase in PATIENT_SAFETY):
            factors.append(("patient_safety", PATIENT_SAFETY_PRIORITY))
        if any(index.find(phrase) for phrase in SAFETY_RISK):
            factors.append(("safety_risk", SAFETY_RISK_PRIORITY))
        if any(index.find(phrase) for phrase in REPEATED_FAILURE):
            factors.append(("repeated_failure", REPEATED_FAILURE_PRIORITY))
    priority = min((level for _, level in factors), key=rank)
    return priority, tuple(code for code, level in factors if level == priority)
