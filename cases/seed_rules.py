"""The queues and routing rules a fresh installation starts with.

A data migration loads ``SEED_QUEUES`` into queues and ``SEED_RULES`` into
``RoutingRule`` rows; each rule dict has exactly the fields of
``routing.RuleSpec`` except ``id``. Administrators tune them afterwards.

How the rules are built, so that they hold up on mentions nobody has seen:

- Keywords are families of words (Gulf dialect, MSA and English) with
  prefix matches (``حريق*``), not sentences copied from examples. The matcher
  normalises both sides and tolerates Arabic proclitics, so ``حريق`` also
  finds والحريق and بحريق; write keywords without the article.
- Emergencies come first and stop evaluation. A life-threatening phrase
  ("ما يتنفس", "kill myself") is enough on its own; an incident word
  ("حريق", "accident") is vetoed by the usual false alarms: news headlines,
  condolences, first-aid courses, metaphors ("حريق الأسعار"), negations
  ("مو عاجل"), statistics, the past. A citizen who opens with "عاجل" like a
  headline is still caught when the text also says it is happening now or to
  them ("الحين", "بيتنا", "my").
- The word عاجل alone is never an emergency.
- A lost child or a lost elderly person is an emergency; a lost file is not.
- Spam and condolences come next (category "other"); a condolence that
  blames the service is a complaint and one that asks for a death
  certificate an inquiry.
- Sarcasm (thanks plus a sign of complaint) and complaints are decided before
  questions, and questions before praise: "يعطيكم العافية" opens many a
  question, and "شكرا على التجاهل" is a complaint. The keyword ``?`` catches
  the many Arabic questions that have no question word ("متوفر في رمضان؟").
- Measured on tests/cases/data/triage_labelled.jsonl by
  tests/cases/test_triage_accuracy.py. Three batches of that file were
  written after the rules and scored before the rules were changed again;
  they are the honest estimate for unseen text (see the notes "batch2"..4).
"""

from __future__ import annotations

from typing import Any

SEED_QUEUES: list[dict[str, str]] = [
    {"slug": "general", "name_en": "General inquiries", "name_ar": "الاستفسارات العامة"},
    {"slug": "complaints", "name_en": "Complaints", "name_ar": "الشكاوى"},
    {"slug": "urgent", "name_en": "Urgent reports", "name_ar": "البلاغات العاجلة"},
    {"slug": "escalations", "name_en": "Escalations", "name_ar": "التصعيد"},
]


def _one_of(*families: list[str]) -> str:
    """One keyword whose alternatives are every entry of the families."""
    return "|".join(entry for family in families for entry in family)


def _combine(firsts: str, seconds: str) -> str:
    """One keyword for every "<first> <second>" pair of two "|"-separated lists."""
    return "|".join(f"{a} {b}" for a in firsts.split("|") for b in seconds.split("|"))


def _durations(lead_words: str, *, english: bool = False) -> str:
    """One keyword for "<lead word> <a span of time>": "صار لي ٣ ساعات", "for 2 weeks"."""
    if english:
        spans = [
            "hours", "* hours", "days", "* days", "weeks", "* weeks", "months", "* months", "an hour", "* minutes",
            "a week", "a month", "a year", "ages",
        ]  # fmt: skip
    else:
        spans = [
            "ساعه", "ساعتين", "* ساعات", "* ساعه", "الصبح", "الفجر", "يوم", "يومين", "* ايام", "* يوم",
            "اسبوع", "اسبوعين", "* اسابيع", "شهر", "شهرين", "* شهور", "* اشهر", "سنه", "سنتين", "* سنوات",
            "* دقيقه", "* دقايق", "زمان",
        ]  # fmt: skip
    return _combine(lead_words, "|".join(spans))


def _wh_questions() -> str:
    """English questions: a wh-word opening the text or followed by what a question needs.

    A bare "who" or "which" is as often a relative pronoun ("the paramedics
    who came"), which is not a question.
    """
    words = ["how", "when", "where", "what", "which", "who", "why", "whom"]
    follow = [
        "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
        "to", "long", "much", "many", "time", "about", "if", "i", "we", "you", "the", "my",
    ]  # fmt: skip
    return "|".join([f"^{word}" for word in words] + [f"{w} {f}" for w in words for f in follow])


# ---------------------------------------------------------------- exclusions

# "Not urgent", and incidents that explicitly hurt nobody.
NEGATION = [
    "مو عاجل|مب عاجل|مش عاجل|غير عاجل|ليس عاجل|ليس عاجلا|ما هو عاجل|مهب عاجل",
    "مو مستعجل|مب مستعجل|غير مستعجل|مو ضروري مره|مو طاري*|مب طاري*|غير طاري*|ليس* طاري*",
    "مو حاله طارئه|مب حاله طارئه|ليست حاله طارئه|مو حاله طوارئ|مب حاله طوارئ",
    "not urgent|non urgent|nonurgent|not an emergency|no emergency|non emergency|not emergency",
    "isn't an emergency|is not an emergency|no rush",
    "دون اصابات|بدون اصابات|لا اصابات|ما فيه اصابات|ما في اصابات|مافي اصابات|لم تسجل اصابات",
    "no injuries|no one was hurt|nobody was hurt|no one hurt|nobody hurt|no casualties",
]
# Laughter and exaggeration: "بموت من الضحك", "dying to know".
HYPERBOLE = [
    "ضحك*|من الضحك|😂|🤣|ه|هه|lol|lmao|rofl|haha*",
    "dying to|dying for|dying of laugh*|killing it|killing me|boredom|bored|of hunger|من الملل|من الجوع|من الزهق",
]
# Death that already happened is a condolence, not a call for help.
CONDOLENCE = [
    # Not "رحمه الله" alone: with ة folded to ه it is also the greeting
    # "السلام عليكم ورحمة الله", which opens emergencies too.
    "رحم الله|رحمها الله|رحمهم الله|رحمهما الله|رحمه الله واسكنه*|رحمه الله وغفر*|رحمه الله تعالى|عليه رحمه الله",
    "الله يرحم*|يرحمه*|يرحمها*|غفر الله|الله يغفر*|عظم الله اجر*|احسن الله عزا*",
    "عزاكم|عزاوكم|تعاز*|العزاء|عزاء|انا لله|انا لله وانا اليه راجعون|فقيد*|المرحوم*",
    "وفاه|توفي*|توفت|توفاه*|انتقل* الى رحمه الله",
    "condolence*|rip|rest in peace|passed away|inna lillahi|may allah have mercy|may god have mercy",
]
# Told afterwards: yesterday's ambulance is a complaint or a thank-you.
PAST = [
    "امس|البارحه|البارح|قبل امس",
    "الاسبوع الماضي|الاسبوع اللي فات|الاسبوع الي فات|الشهر الماضي|الشهر اللي فات|الشهر الي فات",
    "السنه الماضيه|السنه اللي فاتت|العام الماضي|العام الفائت",
    "قبل سنه|قبل سنتين|قبل سنوات|قبل * سنوات|قبل شهر|قبل شهرين|قبل اشهر|قبل * شهور|قبل * اشهر",
    "قبل اسبوع|قبل اسبوعين|قبل * اسابيع|قبل ايام|قبل * ايام",
    "yesterday|last night|last week|last month|last year|years ago|months ago|weeks ago|days ago",
]
# Someone thanking the team that already saved a life.
RESCUE_PRAISE = [
    "انقذ* حياه|انقذ* حياتي|انقذ* حياته|انقذ* حياتها|saved my|saved his|saved her|saved our|saved the life",
]
THANKS = [
    "شكرا*|شكر|اشكر*|نشكر*|مشكور*|الشكر|يعطيكم العافيه|يعطيهم العافيه|الله يجزا*|جزاهم الله|جزاكم الله|التقدير|تحيه",
    "thank*|thanks|kudos|respect to|big respect|shout out|shoutout|salute|hats off",
]
# Praise of a rescue: "the paramedics were incredible".
PRAISE_WORDS = [
    "incredible|amazing|excellent|professional|great job|well done|fantastic|heroes|angels|ممتاز*|رائع*|ابدعو*|كفو*|ما قصرو*|احترافي*|ابطال",
]
# First-aid training and other courses talk about injuries and fires.
COURSE = [
    "اسعافات اوليه|الاسعافات الاوليه|دوره|دورات|تدريب*|تدريبي*|ورشه|ورش|محاضره|ندوه|شهاده معتمده",
    "first aid|course|courses|training|workshop|class|classes|certificat*|drill|simulation|مناوره|تمرين",
]
# Figurative fire and collapse, and fiction.
METAPHOR = [
    "اسعار*|سعر*|الغلاء|غلاء|غلا|اسهم|الاسهم|سوق الاسهم|انهيار عصبي|اعصابي|الريال",
    "price*|cost*|expensive|market|stock*",
    "فلم|فيلم|مسلسل|حلقه|لعبه|رواي*|movie|film|series|episode|game",
    "fire alarm|fire drill|fire exit|fire extinguisher*|fire station*|fire safety|fired|fire him|fire her|fire them|fire the|get fired",
    "قلبي|💔|الفراق|الشوق|my heart|paperwork|drowning in debt|drowning in work|غرقان* بالديون|غرقان* في الديون|ديون",
    "انذار الحريق|جرس الحريق|طفايه*|طفايات|مخرج الطوارئ|مخارج الطوارئ",
    "you re on fire|youre on fire|you are on fire|are fire|is fire",
]
# Numbers, studies and awareness campaigns about a kind of incident.
STATS = [
    "احصاي*|احصاء*|نسبه|نسب|معدل*|ارقام|الارقام|دراسه|بحث|ابحاث|تزايد|ارتفاع عدد|انخفاض",
    "statistic*|research|study|survey|rate|rates|percent*|figures|numbers show",
    "توعيه|التوعيه|توعوي*|حمله|حملات|اليوم العالمي|الوقايه|وقايه|احتياطات|نصايح|نصائح|كيف اتجنب|كيف نتجنب",
    "awareness|campaign|prevention|prevent|precaution*|tips|how to avoid|world day",
]
# Asking about the service around an incident rather than reporting one.
ADMIN = [
    "وظائف|وظيفه|توظيف|وظايف|jobs|job|vacanc*|hiring|career*",
    "رقم الاسعاف|ambulance number|number for the ambulance|number for ambulance",
    "تقرير*|medical report|accident report|police report|تعويض*|compensation|insurance|تامين",
    "اعراض*|symptom*|طبيعي|is it normal|is this normal|اسباب|علاج|treatment",
    "الشبكه|السيستم|النظام|الموقع الالكتروني|الموقع طايح|الموقع طاح|طاح الموقع|التطبيق|المنصه|منصه|صحتي|توكلنا|system|network|website|the app|sehhaty",
]
# "What should I do if..." is a question about an incident, not a report.
HYPOTHETICAL = [
    "وش اسوي اذا|وش نسوي اذا|ايش اسوي اذا|ماذا افعل اذا|ماذا افعل في حال|كيف اتصرف اذا|في حال|اذا صار|لو صار|لا سمح الله|لا قدر الله",
    "what to do if|what should i do if|what do i do if|what do you do if|in case of|if someone|if there is|if my|how to deal with",
]
# A question without a sign of immediacy ("وين يعالجون الحروق؟") is an
# inquiry; a question asked in an emergency also says "now", "my son", and
# is caught by the rule that requires such a sign.
QUESTION = [
    "?|وين|متى|كيف|هل|كم|وش|ايش|شلون|اي|ماذا|لماذا|ليش|اسباب|ما سبب|وش سبب",
    "where|when|how|what|whats|which|why|is there|are there|can i|do i|should i|does|will there",
]
# Headlines and official statements (only for the plain incident rule: a
# citizen writing "عاجل" about their own emergency is caught by the rules
# that need a sign of immediacy).
NEWS_HEADLINE = ["^عاجل|^breaking|^خبر|breaking news|^urgent news"]
NEWS_SOURCE = [
    "واس|وكاله|مصادر|مراسل*|المتحدث*|متحدث*|بيان|تعلن|اعلنت|اعلن|يعلن|تحذر|يحذر|حذر*|الارصاد",
    "السيطره على|تمت السيطره|سيطر*|اخماد|تم اخماد|يباشر|باشرت|تباشر",
    "reports|reported|according to|spokes*|announce*|officials|authorities|contained|under control",
]

# ---------------------------------------------------------------- emergencies

LIFE_AT_RISK = [
    # calls for help
    "انقذون*|انقذوا|انقذو|انقذني|الحقونا|الحقوني|الحقوا|الحقو|الحقني|الحقوا علينا|فزعتكم|نجده|النجده",
    "sos|🆘|somebody help|someone help|send help|need help now",
    # ambulance requested now
    "ارسلوا اسعاف|ارسلو اسعاف|ارسلوا الاسعاف|ارسال اسعاف|ارسال سياره اسعاف|اطلبوا اسعاف|اطلبو الاسعاف",
    "ابي اسعاف|ابغى اسعاف|نبي اسعاف|نبغى اسعاف|نحتاج اسعاف|محتاجين اسعاف|وين الاسعاف|وينكم يا الاسعاف",
    "الاسعاف ما وصل|الاسعاف ما جا|الاسعاف ما جاء|الاسعاف تاخر|لم يصل الاسعاف",
    "send an ambulance|send ambulance|need an ambulance|need ambulance|call an ambulance|where is the ambulance|no ambulance",
    # breathing
    "ما يتنفس|ما تتنفس|ما اتنفس|ما اقدر اتنفس|ماقدر اتنفس|مو قادر يتنفس|مو قادره تتنفس|ما يقدر يتنفس|ما تقدر تتنفس",
    "لا يتنفس|لا تتنفس|لا استطيع التنفس|توقف عن التنفس|توقف* تنفس*|انقطع* نفس*|يختنق|تختنق|مختنق*",
    "cant breathe|cannot breathe|can not breathe|not breathing|stopped breathing|struggling to breathe|choking",
    # consciousness
    "مغمى علي*|اغمي علي*|اغمى علي*|فاقد* الوعي|فاقد* للوعي|فقد* الوعي|فقد* وعي*|غايب* عن الوعي|غائب* عن الوعي",
    "ما يصحى|ما تصحى|ما يستجيب لنا|لا يستجيب لنا",
    "unconscious|passed out|fainted|unresponsive|not responsive|wont wake up|not waking up|cant wake him|cant wake her",
    "مغشي علي*|مغمي علي*|ما قدرنا نصحي*|القلب وقف|قلبه وقف|قلبها وقف|وقف قلبه|وقف قلبها|ما فيه نبض|ما في نبض|مافي نبض|انعاش|نسوي له انعاش",
    "دخل* في غيبوبه|he wont respond|she wont respond|hes not responding|shes not responding|not responding to us",
    "too many pills|took too many|going to pass out|about to pass out|about to faint|going to faint",
    "تاذي نفسها|ياذي نفسه|اذي نفسي|ايذا* النفس|ايذا* نفسه|ايذا* نفسها|اذيه النفس|حاول* تاذي|حاول* ياذي",
    "sleeping pills|bottle of pills|whole bottle|took * pills|حبوب منومه|بلع* حبوب|اخذ* حبوب كثير*|علبه حبوب|شريط حبوب",
    "no pulse|cpr|doing cpr|chest compressions|ما يقدر يتكلم|ما تقدر تتكلم|لسانه ثقيل|لسانها ثقيل|وجهه مايل|وجهها مايل|فمه مايل|cant speak|slurred|face drooping",
    "تستنجد|يستنجد|تستغيث|يستغيث|استغاثه|crying for help|screaming for help|calling for help",
    # Arabizi (Arabic in Latin letters and digits), as some young writers use it
    "ma yetnafas|ma yetnaffas|ma yitnafas|ma yitnaffas|mayetnafas|mayetnaffas|ma agdar atnafas|ma a8dar atnafas|mo gader yetnafas",
    "7ala tare2a|7ala tar2a|7alah tare2a|7alat tware2|7areeg|7aree2|7ariq|7ari8|7adeth|7adth|7adith|es3af|is3af|esaaf|is3aaf|ambulance please",
    "يبي ينط|تبي تنط|بينط من|بتنط من|jump off|threatening to jump|going to jump",
    # dying now
    "يموت|تموت|بيموت|بتموت|راح يموت|راح تموت|يحتضر|تحتضر|بين الحياه والموت|يلفظ انفاسه",
    "is dying|hes dying|shes dying|im dying|are dying|going to die|gonna die|life or death|life threatening",
    # suicide and self-harm, said about oneself or someone present
    "انتحر*|ينتحر*|تنتحر*|بينتحر*|بتنتحر*|بنتحر*|يهدد بالانتحار|تهدد بالانتحار|يبي ينتحر|تبي تنتحر",
    "اقتل نفسي|بقتل نفسي|يقتل نفسه|تقتل نفسها|بيقتل نفسه|بتقتل نفسها|ابذبح نفسي|بذبح نفسي|يذبح نفسه|تذبح نفسها|بيذبح نفسه|بتذبح نفسها",
    "اذي نفسي|اوذي نفسي|يوذي نفسه|توذي نفسها|انهي حياتي|انهاء حياتي|ابي اموت|ابغى اموت|ما ابي اعيش",
    "kill myself|kill himself|kill herself|killing myself|end my life|end his life|end her life|take my life",
    "want to die|wanna die|self harm|selfharm|hurt myself|cut myself|cutting myself",
    # violence in progress
    "يضربني|يضربنا|يضربها|يضربه|يضربون|تضربني|ضربني|ضربوني|يعنفني|يهددني|يهددنا|يهدد* بسكين|بسكين|سكين|مسدس|اطلاق نار|طلق ناري|مطعون|مطعونه",
    "beating me|beating her|beating him|being beaten|hitting me|hitting her|abusing me|stabbed|stabbing|shooting|gunman|gun|knife",
]
INCIDENT = [
    # fire and smoke
    "حريق*|حرايق|حرائق|احترق*|انحرق*|اشتعل*|اشتعال|شب* النار|النار شب*|ولعت|ولعت النار|تولع|النار وصل*|النار منتشر*",
    "دخان كثيف|الدخان يتصاعد|دخان يطلع|الدخان داخل|الدخان مالي",
    "fire|fires|on fire|blaze|flames|building is burning|house is burning|car is burning|smoke everywhere|thick smoke|smoke coming",
    "سياره مولعه|السياره مولعه|البيت مولع|مولعه نار",
    # accidents, falls and injuries
    "حادث|حادثه|حوادث|تصادم|اصطدام|تصادمت|اصطدمت|صدم* سياره|صدمته|صدمتها|صدمتهم|صدمتني|دعس*|دهس*|مدهوس*|مدعوس*",
    "انقلاب سياره|انقلبت سياره*|انقلبت السياره|انقلبت بهم|تدهور* سياره|تدهورت السياره|تدهورت بهم|حالته تتدهور|حالتها تتدهور",
    "مصابين|مصابون|جرحى|جريح|اصابات خطير*|اصابه خطير*|اصابه بليغ*|اصابات بليغ*|بجروح|مصاب* بجروح|اصيب* بجروح|اصيب* بكسور",
    "ينزف|تنزف|ينزفون|نزف*|نزيف*|يستفرغ دم|تستفرغ دم|استفراغ دم|تقيو* دم|يتقيا دم|ينزف دم",
    "طاح|طاحت|طاحو|طايح*|سقط من|سقطت من|سقوطه من|سقوطها من|سقط* من الدور",
    "accident|car crash|crashed into|hit by a car|run over|ran over|collision|pile up|pileup|overturned",
    "injured|injuries|wounded|bleeding|badly hurt|seriously hurt|vomiting blood|fell from|fell off|fell and|fell down|he fell|she fell|has fallen|had a fall",
    # explosions, gas, collapse
    "انفجار*|انفجر*|explosion|exploded|blast",
    "تسرب* غاز|تسريب غاز|ريحه غاز|ريحة غاز|رائحه غاز|رائحة غاز|gas leak|leaking gas|smell of gas|smell gas|smells like gas|gas smell",
    "تهدم*|انهدم*|تحت الانقاض|تحت الركام|under the rubble|تيار كهربا*|صدمه تيار|ضربه كهربا*|ضربته الكهربا*|ضربتها الكهربا*",
    "انهيار*|انهار*|سقوط مبنى|سقط* سقف|طاح السقف|طاح* سقف|collapsed|collapse",
    # water
    "غرق*|غريق|سيل|سيول|فيضان*|محاصر*|محتجز*|محبوس*|محشور*|عالق* في المصعد|عالق* في السيل|علق* في المصعد",
    "drown*|flood*|trapped|stuck in the elevator|stuck in elevator|stuck in the lift|swept away",
    # poisoning and swallowed objects
    "تسمم*|مسموم*|ابتلع*|بلع|بلعت|بلعه|جرعه زايده|جرعه زائده",
    _combine(
        "شرب*|اكل*|بلع*", "منظف*|كلور*|فلاش|ديزل|بنزين|كاز|مبيد*|سم|سموم|صابون|حبوب|مطهر*|تنر|اسيد"
    ),
    "poison*|swallowed|overdos*|bleach",
    # sudden illness
    "جلط*|سكته|سكته قلبيه|سكته دماغيه|نوبه قلبيه|ازمه قلبيه|توقف* القلب|توقف قلب*|اصيب* بنوب*|اصيب* بجلط*|نوبه صرع|تشنج*|يتشنج|تتشنج",
    "ضيق* شديد* في التنفس|ضيق تنفس شديد|ضيق في التنفس|ضيق التنفس|ضيق تنفس|صعوبه في التنفس|صعوبه تنفس|اختناق",
    "حال* حرج*|حاله طارئه|حاله طوارئ|حالات طارئه|حالت* صعبه|حالت* خطير*|وضعه خطير|وضعها خطير|حساسيه شديده|تورم* وجه*|انتفخ* وجه*|تورم* حلق*",
    "حالت* تسوء|حالت* تسوء بسرعه|حالت* تتدهور|تدهورت حالت*|حالت* تعبانه مره|getting worse fast|deteriorating|وقع من|وقعت من|وقع على|وقعت على",
    "غيبوبه|coma|اغماء|حاله اغماء|هبوط* حاد|هبوط في السكر|هبوط السكر|هبوط سكر|نزل عليه السكر|نزل عليها السكر|ضربه شمس|اجهاد حراري|تدافع",
    "low blood sugar|sugar dropped|hypoglyc*|heat stroke|heatstroke|heat exhaustion|stampede|serious condition",
    "الم* في صدر*|الم* بصدر*|الم في الصدر|وجع* في صدر*|chest pain|pain in his chest|pain in her chest|pain in my chest",
    "صعق* كهرب*|انصعق*|مصعوق*|ماس كهربا*|تماس كهربا*|التماس الكهربا*|الكهربا فيها تماس|تماس في الكهربا|electric shock|electrocut*",
    "عضه كلب|عضها كلب|عضني كلب|عضته|لدغ*|ثعبان|عقرب|dog bite|bitten by|snake|scorpion",
    "شرقان*|غصان*|علق* في حلق*|ماي حار|مويه حاره|موية حارة|boiling water|scald*|تسرب* كيماوي*|chemical leak|chemical spill",
    "in labor|in labour|baby is coming|water broke|waters broke|تولد الحين|بتولد|جاها الطلق|جاها طلق|ماء الراس|موية الراس",
    "يدمي|تدمي|الدم ما وقف|الدم ما يوقف|blood everywhere|lots of blood|losing blood|راسه مفتوح|راسها مفتوح|head injury|hit his head|hit her head|hit my head",
    "heart attack|cardiac arrest|stroke|seizure|seizures|convuls*|anaphyla*|allergic reaction|turning blue|critical condition",
    "its an emergency|this is an emergency|medical emergency|emergency situation",
    # violence and self-harm as nouns (reported, not said about oneself)
    "اعتدا*|اعتدي*|عنف|تعنيف|معنف*|مضارب*|هوشه|طعن* بسكين|طعنوه|طعنها|طعنني|مطعون*|طعنات|هجوم على|مسلح*|سلاح|انتحار|الانتحار|انتحاري*",
    "violence|assault*|attacked|attacking|beating|beaten|beat up|beats her|beats him|suicid*|kidnap*|abduct*",
    # ambulance and civil defence named in a report
    "اسعاف*|مسعف*|الدفاع المدني|ambulance*|paramedic*|civil defense|civil defence",
]
# Symptoms and distress that are an emergency only when they are happening
# now to someone present ("my son is vomiting", not "the nurse yells").
DISTRESS = [
    "صار له شي|صار لها شي|وجهه اصفر|وجهها اصفر|لونه ازرق|لونها ازرق|لونه اصفر|ازرق|ازرقت*|صار ازرق|صارت زرقاء",
    "يستفرغ|تستفرغ|يرجع دم|ترجع دم|يرتجف|ترتجف|يتشنج|تتشنج|تصيح|يصيح|تصرخ|يصرخ|صراخ|تكسير|يهذي|تهذي|يخربط|تخربط",
    "مو واعي|مو واعيه|مو صاحي|مو صاحيه|دايخ|دايخه|حرارته * درجه|حرارتها * درجه|ما ياكل ولا يشرب",
    "vomiting|throwing up|shaking|is confused|hes confused|shes confused|seems confused|confused and|disoriented|fever of",
]
# Signs that the incident is happening now, here, or to the writer's people.
NOW = [
    "الحين|هالحين|الان|حاليا|توه|توها|بسرعه|سريعا|فورا|عاجلا|بأسرع وقت|تكفون|تكفى|تكفي",
    "ساعدو*|ساعدني|ارسلو*|ارسال|ابي|نبي|ابغى|نبغى|نحتاج|محتاجين",
    "عندنا|عندي|جيران*|جاري|جارتي|جارنا|بيتنا|بيتي|شقتنا|شقتي|عمارتنا|حينا|حارتنا|قدامي|قدامنا|قدام|جنبنا|جنبي|داخل|داخلها|داخله|معنا|فينا",
    "ابوي|امي|اخوي|اختي|ولدي|بنتي|زوجي|زوجتي|ابني|طفلي|طفلتي|عيالي|والدي|والدتي|جدي|جدتي",
    "فوقنا|تحتنا|نخاف علي*|خايف* علي*|قاعد* ينزف|للحين|الولد|البنت|الطفل|الطفله|المريض|المريضه",
    "وش نسوي|ايش نسوي|شنسوي|وش نسوي له|ماذا نفعل|ماذا افعل|what do we do|what should we do|what do i do|what should i do",
    "واحد|وحده|رجال|رجل|حرمه|امراه|شاب|عامل|طالب|طالبه|ناس|فيه ناس|في ناس|شخص",
    "someone|somebody|a man|a woman|a guy|a girl|a boy|a child|a kid|a worker|people|person|roommate|friend",
    # "were" is left out: it is "we're" without its apostrophe, but far more
    # often the past tense of a story told afterwards.
    "now|right now|asap|hurry|quick*|please|send|help|my|our|we|im|i|us|inside|here|near|scared|afraid",
]
# Children and people who cannot find their way back (elderly, dementia).
PERSON = [
    "طفل*|اطفال*|ولد|ولدي|ولده|ولدها|ولدنا|بنت|بنتي|بنته|بنتها|بنتنا|ابني|ابنه|ابنها|ابننا|ابنتي|عيال*|اخوي|اختي",
    "ابوي|امي|جدي|جدتي|والدي|والدتي|كبير* في السن|كبير* بالسن|كبار السن|رجل كبير|رجال كبير|شايب|عجوز|حرمه كبيره|مريض* الزهايمر|زهايمر",
    "child|children|son|daughter|kid|kids|baby|toddler|boy|girl|father|mother|dad|mom|grandfather|grandmother|grandpa|grandma|elderly|alzheimer*|dementia",
]
LOST = [
    "ضاع|ضاعت|ضايع|ضايعه|ضايعين|مفقود*|اختفى|اختفت|اختفا*|تاه|تاهت|تايه|تايهه|خطف*|مخطوف*",
    "missing|is lost|got lost|went missing|cant find|cannot find|disappeared|kidnap*|abduct*",
]
DOCUMENTS = [
    "ملف*|بطاق*|شهاد*|سجل*|تطعيم*|لقاح*|موعد*|جواز|هويه|اوراق|ورق*|نتيج*|تحليل*",
    "file|card|record*|certificate|vaccin*|appointment|document*|passport|results|report",
]
FOUND = ["العثور|تم العثور|لقيناه|لقيناها|وجدناه|found"]

# ---------------------------------------------------------------- the rest

SPAM = [
    "متابعين|زياده متابعين|لايكات|رتويت|ريتويت|retweet|^rt|فولو|فولو باك|تابعني|تابعوني|follow back|followback|follow me",
    "سناب شات|snapchat|اضافه سناب|قناتي|اشترك* في قناتي|subscribe|my channel|check out my|link in bio|dm me|dm for",
    "تسديد قروض|تسديد مديوني*|قروض|بدون كفيل|تمويل فوري|crypto|bitcoin|btc|بيتكوين|عملات رقميه|فوركس|forex|تداول",
    "earn|giveaway|airdrop|nft|promo code|discount code|casino|كازينو|betting|رهان",
    "حل واجبات|بحوث جامعيه|خدمات طلابيه|سكليف معتمد|سكليف للبيع|سكليفات|اجازات مرضيه للبيع|للبيع|for sale",
]
SARCASM_PRAISE = [
    "شكرا*|شكر|مشكور*|يعطيكم العافيه|يعطيك العافيه|ما قصرتو*|ماقصرتو*|ما شاء الله|ماشاء الله|برافو|ابدعتو*|كفو*|تسلمون|الله يجزاكم خير|جزاكم الله خير",
    "thank*|thanks|thx|great job|good job|well done|bravo|amazing|awesome|excellent|wonderful|impressive|appreciate*|wow|kudos|brilliant",
]
SARCASM_MARKERS = [
    "🙃|🙄|😒|🤡|😏|🤦*",
    "تجاهل*|التجاهل|تطنيش|التطنيش|اهمال*|الاهمال|ولا شي|ولا شيء|على لا شي|على لاشي|ولا كان|ولا كأن",
    "كالعاده|زي العاده|مثل العاده|كالمعتاد|ثالث مره|ثاني مره|للمره الثالثه|رابع مره",
    "for nothing|ignor*|as always|as usual|only * hours|only * days|only took|* weeks later|* days later|* months later|third time|yeah right",
    "love how|gotta love|got to love|great system|so efficient|efficient system|what an efficient|🌚|😑",
]
RESOLVED = [
    "انحل*|انحلت|تم حل*|تم الحل|حليتو*|حلوها|حلوا المشكله|تم التواصل|تم اصلاح*|تم تعديل*|تم تحديث*|قدمو*|تم تقديم",
    "تواصلتو* معي|اتصلتو* علي|اتصلو* علي|رديتو* علي|وصلني الرد|solved|resolved|fixed|fixing|sorted|works now|working now",
]
UNRESOLVED = [
    "ما انحل*|لم تحل|لم يتم|ما تم|ما حلو*|ما حليتو*|بدون حل|ما فيه حل|مافي حل|لا حل|ما له حل",
    "not solved|not resolved|not fixed|still|unresolved|no solution",
]
COMPLAINT = [
    # dissatisfaction
    "مو راضي*|مب راضي*|مش راضي*|غير راضي*|ما رضي*|زعلان*|مستاء|مستاءه|استياء|مزعج*|متضايق*|قهر|مقهور*|منقهر*",
    "للاسف|مع الاسف|بكل اسف|تعبنا|زهقنا|طفشنا|مليت|مللنا|قهرتونا|قرفتونا|تعبتونا|يعني لازم",
    "حسبي الله|حسبنا الله|حرام عليكم|ظلم|ظالم*|فساد|فاسد*|واسطه|واسطات|سرقه|نصب|نصابين|عيب عليكم|عيب|مصيبه",
    "مو معقول|مب معقول|غير معقول|لا يعقل|ما يصير|مايصير|ما يجوز|هذا مو|وش هال*|وش ذا|ايش هال*|ليش كل مره|ليش ما|ليه ما|لماذا لا|لماذا لم",
    "زفت|مهزله|مهازل|فضيحه|مسخره|كارثه|كارثي*|قرف|مقرف*|وسخ*|وساخه|قذر*|صفر|سيء|سيئ*|اسوا|اسوء|رديء|ردي|فاشل*|تخلف|متخلف*",
    # delays and waiting
    "تاخير*|التاخير|تاخر*|متاخر*|اتاخر*|يتاخر*|تتاخر*|ابطا|ابطاء|تباطؤ|بطء|بطيء|بطيئ*|انتظار*|انتظر*|ننتظر|ينتظر*|مستني*",
    _durations("صار لي|صار لنا|صارلي|صارلنا|صار له|صار لها|من|لي|لنا|وانا|وحنا|ونحن"),
    _durations("يوقف|نوقف|اوقف|واقف|واقفين|ننتظر|انتظر|ينتظر|تنتظر|قعدت|قعدنا|جالس|جالسين"),
    "ساعات عشان|ساعه عشان|ساعتين عشان|ايام عشان|اسابيع عشان|شهور عشان|اشهر عشان|كل يوم نفس|يطيح|يطيح كل يوم",
    "بعد * شهور|بعد * اشهر|بعد شهرين|بعد سنه|وللحين|للحين ما|ولحد الحين|ولحد الان|والى الان|الى الان|لين الحين",
    "ما وصلني|ما وصلنا|ما وصل شي|ما جاني|ما جانا|ما طلع|ما نزل|ما تحدث|ما صرفو*|ما صرفوا",
    # nobody answers
    "ما احد رد|ماحد رد|محد رد|ما احد يرد|محد يرد|ماحد يرد|ما حد يرد|ما يردون|ما تردون|ماتردون|ما يرد|ماترد|ما ترد|ما ردو*|ما رديتو*",
    "لا احد يرد|لا يوجد رد|بدون رد|دون رد|لا حياه لمن تنادي|ولا رد|ولا حد رد|ما احد اعتذر|ما احد نادى|ما احد يبلغ*|بدون ما احد|محد عطانا",
    "مشغول طول الوقت|الخط مشغول|مشغول دايم|يقفلون الخط|قفل* الخط|سكر* الخط|ما يستجيب*|لا يستجيب*|تجاهل*|يتجاهل*|متجاهل*|طنش*|تطنيش|مطنش*",
    # broken services
    "خربان*|خرب*|معطل*|عطلان*|عطل|تعطل*|مكسور*|ما يشتغل|ما تشتغل|مايشتغل|ماتشتغل|لا يعمل|لا تعمل|ما يفتح|ما تفتح|مايفتح",
    "يعلق|معلق|يهنق|هنق|يطلعني|يطردني|يفصل|يطفي|واقف|متوقف|النظام طايح|السيستم طايح|خطا|اخطاء|غلط|ضيع*|يضيع*|ضاع ملف*",
    "هالمستوى|مستوى سيء|مستوى متدني|تدني|متدني*|فوضى|لخبطه|عشوائي*|حقوقنا|حقوقي|وين حقي|وين حقوق*|ضيعتو* وقت*|تضييع وقت|ضياع وقت",
    "تاجيل|يتاجل|تتاجل|تاجل|تاجلت|اجلو*|منتهي* الصلاحيه|انتهت صلاحيت*|يطرد*|طردو*|طردني|انسرق*|سرق*|ما سوا شي|ما سوو شي|ما سووا شي",
    "ما فحص*|ما كشف علي*|ما سمعني|ما سمعتني|ما عطاني وقت|ما عطتني وقت|ما فيه مواقف|مافي مواقف|زادت الرسوم|الرسوم زادت|زادت الاسعار|ارتفعت الاسعار|ارتفعت الرسوم|رفعتو* الاسعار|رفعتو* الرسوم|ليش|ليه",
    "ماقدرت|ما قدرت|ما نقدر|ما اقدر احجز|ما اقدر ادخل|ما اقدر اسجل|مو قادر احجز|ما يقبل|ما يكمل|رفض*|رافض*|مرفوض*|يرفض*",
    "انلغى|انلغت|تنلغي|ملغي|ملغيه|الغوا|الغيت|الغيتو*|كنسل*|تكنسل|بدون اشعار|دون اشعار|بدون ابلاغ|بدون ما يبلغ*",
    # missing staff and supplies, crowding
    "مو متوفر|مب متوفر|غير متوفر|ما فيه دكتور|مافيه دكتور|ما في دكتور|مافي دكتور|ما فيه طبيب|ما فيه دوا*|مافي دوا*|ما فيه علاج",
    "ما فيه سرير|مافي سرير|بدون سرير|ما فيه احد|مافي احد|ما فيه مواعيد|مافي مواعيد|ما فيه موعد|مافي موعد|ما فيه موظف*|مافي موظف*",
    "فاضيه|نقص|زحمه|زحام|طابور|الطابور|يسولفون|مسكر*|مقفل*|اعذار|الاعذار|بدون فايده|بدون فايدة|ما في فايده|مافي فايده|وش الفايده|وش فايده",
    "بدون حل|ما له حل|ماله حل|قفلو* البلاغ|اقفل* البلاغ|البلاغ مقفل|كل مره|كل يوم نفس|نفس المشكله|تعال بكره|تعالوا بكره|راجعنا بكره",
    "شكوي|شكاوي|شكواي|اشتكي*|بشتكي|مشكله|مشاكل|مشكلتي|وقح*|قله ادب|قليل* ادب|قله ذوق|قله احترام|استهتار|مستهتر*|اهمال|مهمل*|تسيب|لا مبالا*",
    "حرام|وين نروح|وين نودي|لمين نشتكي|لمن نشتكي|وين الدوا*|وين الادويه|وين الدكاتر*|وين الاطباء|وين المسوول*",
    "ما عند* مواعيد|ما عند* موعد|ما عند* دوا*|ما عند* دكتور|ما عند* سرير|ما فيها الا|ما فيه الا|مهين*|اهان*|اهانه",
    "ما وصلتني|ما وصلت*|ماوصلني|ماوصلت*|مكسر*|يحاسب|حاسبوا|عنجهيه|متكبر*|غرور",
    "ينقطع*|انقطع* الاتصال|انقطع* الخط|يحولوني|يقطع الخط|قطعو* الخط|بدون تكييف|ما فيه تكييف|ما فيها تكييف|بدون ما يكشف|بدون فحص|بدون كشف",
    "ماساوي|ماساه|مأساوي|مأساة|يقطع القلب|محزن|تحت الشمس|ننتظر في الشمس|واقفين في الشمس",
    "ما فيه احترام|ما في احترام|ما يحترم*|ما تحترم*|بدون احترام|ما يغطي|ما يغطون|مو شغال*|مب شغال*|ماهو شغال",
    "غالي|غاليه|مبالغ*|الرقابه|وين الرقابه|تحركوا|سووا شي|المحاسبه|وين المحاسبه",
    # English
    "not happy|unhappy|dissatisf*|disappoint*|frustrat*|annoy*|fed up|sick of|tired of|complain*|complaint*|a problem|the problem|problem with|problems with|same problem|issue with",
    "terrible|horrible|awful|worst|bad service|poor service|poor|pathetic|disgusting|dirty|filthy|ridiculous|unacceptable|unbelievable",
    "joke|shame*|disgrace*|useless|incompetent|rude|disrespect*|unprofessional|attitude|yelled|shouted|ignored|ignoring|ignore",
    "always late|is late|are late|running late|came late|too late|so late|very late|hours late|days late|late again|delay*|slow",
    "takes forever|took forever|waited forever|forever to|takes ages|waiting for|waiting since|been waiting|keep waiting|kept waiting|waiting room|waited|wait time|long wait",
    "still waiting|still no|still not|still nothing|still havent|still hasnt",
    _durations("for|waiting|waited|wait|been waiting|trying|tried", english=True),
    "* hours in the|* hours at the|* hours now|* days now|* weeks now|on hold|hung up|hang up|busy line|line is busy",
    "no answer|no reply|no response|zero replies|nobody answer*|no one answer*|noone answer*|didnt answer|doesnt answer|never answer*",
    "never replied|never respond*|didnt reply|havent replied|hasnt replied|not replied|cancelled|canceled|cancelling|refused|rejected|denied",
    "error*|bug|bugs|glitch*|crash*|broken|not working|doesnt work|does not work|dont work|wont work|wont load|doesnt load|keeps logging",
    "logging me out|cant log*|cannot log*|cant book|cannot book|unable to|couldnt|down|offline|never arrives|never arrived|didnt arrive|hasnt arrived",
    "no doctor|no beds|no chairs|no nurse|nobody|zero|out of stock|unavailable|not available|overcharg*|charged me|charged for|been charged|no refund",
    "wrong|mistake*|mixed up|mix up|lost my results|lost my file|lost my sample|they lost|seriously|not even|didnt even|why does it|why is it|why cant|why wont|why isnt|why arent|why hasnt|why are you|why is the|why does the",
    "do something|expensive|overpriced|every time|three times|3 times|twice|third time|without notice|without informing|come back tomorrow|crowded|overcrowded",
    "why is there|only one doctor|one doctor for|not enough doctors|not enough staff|short staffed|understaffed|shortage|pending|pending since|still pending|been pending",
    "without even|without examining|without checking|breaking my heart|heartbreaking|wait in the sun|waiting in the sun|in this heat|no ac|ac is broken|no air conditioning|tragic|disaster",
    "doesnt exist|not in the system|no record|no one takes|no one cares|nobody cares|bounced|no respect|not covered|doesnt cover",
    "insult*|humiliat*|queue|queues|long queue|every single|every morning|* hours to get|* hours for a|weeks to get|months to get|hours just|weeks just",
    "efficient system|so efficient|what an efficient",
    "wasted|waste of time|wasting|expired|a mess|mess|chaos|chaotic|disorganiz*|tasteless|inedible|not a single|no replies|under review|whats going on|what is going on",
    "didnt examine|didnt listen|did not listen|didnt look|kicked out|stolen|robbed|did nothing|didnt do anything|no parking|parking is full|cant find parking|postpon*|smh|wtf",
    "takes * months|takes * weeks|took * months|took * weeks|took * hours|fees went up|prices went up|my rights|our rights|disconnect*|freezes|keeps freezing",
]
# Praise for not having to wait is not a complaint about waiting.
NO_WAIT = [
    "ما انتظرنا|ما انتظرت|ماانتظرت|بدون انتظار|دون انتظار|بلا انتظار|no wait|no waiting|without waiting|didnt wait|didnt have to wait",
]
INQUIRY = [
    "متى|متي|امتى|امتي|كيف|كيفيه|شلون|وش|ايش|شنو|شو|وشو|ويش|هل|وين|فين|اين|كم|بكم|ماذا|ما هو|ما هي|مين|من هو|من المسؤول|اي مستشفى|اي مركز|اي تطبيق",
    "ممكن|يمكن|امكانيه|اقدر|نقدر|يقدر|تقدر|استطيع|نستطيع|يحق|يجوز لي|لازم|يلزم",
    "ابي اعرف|ابغى اعرف|ابغي اعرف|ودي اعرف|ودي اسال|ابي اسال|ابغى اسال|حاب اسال|حاب اعرف|نبي نعرف|ابي استفسر|ابغى استفسر",
    "استفسر*|استفسار*|سؤال|سوال|عندي سؤال|الاستعلام|استعلام|طريقه|الطريقه|شروط|الشروط|متطلبات|المتطلبات|المستندات|الاوراق المطلوبه",
    "رابط|الرابط|رقم التواصل|رقم الهاتف|رقم الجوال|اوقات|مواعيد الدوام|ساعات العمل|دوام",
    "لو سمحت*|لو تكرمت*|من فضلك*|فضلا|يا ليت|ياليت|ارجو الافاده|افيدوني|افيدونا|الافاده|توضحون|وضحوا|ممكن توضيح|ابي توضيح",
    "ابي|ابغى|ابغي|ابغا|نبي|نبغى|نبغي|اريد|نريد|اود|نود|ودي|حاب|حابه|محتاج*|احتاج|نحتاج",
    _wh_questions(),
    "hows|whens|wheres|whats|whos|whether|is there|are there|is it|is the|are the|do i|do you|does|did you|did the|will the|will you",
    "can i|can we|can you|could you|could i|would you|should i|may i|any update|anyone know|please advise|advise|inquir*|enquir*",
    "question|ask|info|information|details|clarif*|tell me|let me know|how to|plz tell|please tell|looking for",
    "?|wondering|wonder if|curious|can my|can she|can he|can they|is my|are my|does my",
    "any news|any info|any idea|any updates|will there|would there|link|links|send me|share the|يمدي|يمديني|يمدينا|بغيت|ابغيت|بغينا|حبيت اسال|حبيت استفسر|حبيت اعرف",
    "want to know|want to ask|want to book|want to change|want to update|want to get|want to register|want to apply",
    "need to know|need to book|need to change|need to update|need to get|need to register|need a|need an|need information",
    "would like to know|would like to ask|would like to book|would like to change|id like to",
]
THANKS_INTENT = [
    "اشكر*|نشكر*|اتقدم بالشكر|اتقدم بجزيل الشكر|want to thank|wanted to thank|like to thank|to thank|to appreciate",
]
PRAISE = [
    "شكر*|مشكور*|الف شكر|يعطيكم العافيه|يعطيك العافيه|يعطيهم العافيه|الله يعافيكم|ما قصرت*|ماقصرت*|الله يجزا*|جزاكم الله|الله يجزيكم",
    "ممتاز*|رائع*|راقي*|مبدع*|ابدع*|كفو*|قمه|جهود|جبار*|الله يحفظ*|الله يوفق*|يوفقكم|بيض الله وجي*|بيض الله وجه*|تسلم*|يسلمو",
    "تحيه|تحيات*|فخور*|نفخر|فخر|امتنان|ممتن*|منظم|مرتب|نظيف|مفيد|ما شاء الله|ماشاء الله|تبارك الله|الله يبارك*|بارك الله",
    "ربي يسعد*|game changer|life saver|lifesaver|اشكر*|نشكر*|اتقدم بالشكر|محترم|محترمين|محترمه|احتراف*|باحتراف*|محترف*|يا حليل*|حليلكم|ربي يحفظ*|ربي يوفق*|يجزاكم|الله يسعد*",
    "التقدير|تقدير|عافيه|العافيه|تفوق*|رفعتو* الراس|رفعتو* راس*|الله يكثر من امثال*|سهل|سهله",
    "thank*|thx|thanx|appreciate*|grateful|kudos|excellent|great|amazing|incredible|awesome|wonderful|fantastic|impressive|impressed|professional",
    "respect|big respect|shout out|shoutout|smooth*|well done|good job|great job|nice work|nice job|good work|bravo|love|best|helpful|useful|proud|salute|hats off|keep it up|killing it|nailed it|you rock|10 10",
]


def _rule(**fields: Any) -> dict[str, Any]:
    """A seed rule with every RuleSpec field (except id) present."""
    rule: dict[str, Any] = {
        "name": "",
        "order": 100,
        "match_mode": "any",
        "keywords": [],
        "exclude": [],
        "hashtags": [],
        "languages": [],
        "accounts": [],
        "min_followers": None,
        "verified": None,
        "repeat_cases": None,
        "repeat_days": None,
        "queue": None,
        "category": None,
        "priority_floor": None,
        "tags": [],
        "assignee": None,
        "stop": False,
    }
    unknown = set(fields) - set(rule)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    rule.update(fields)
    return rule


_EMERGENCY_ACTIONS = {
    "queue": "urgent",
    "category": "emergency",
    "priority_floor": "P1",
    "tags": ["emergency"],
    "stop": True,
}

SEED_RULES: list[dict[str, Any]] = [
    _rule(
        name="Emergency: life at risk",
        order=10,
        keywords=LIFE_AT_RISK,
        exclude=NEGATION + HYPERBOLE + CONDOLENCE + PAST + RESCUE_PRAISE + COURSE,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Emergency: incident happening now",
        order=20,
        match_mode="all",
        keywords=[_one_of(INCIDENT, DISTRESS), _one_of(NOW)],
        exclude=NEGATION
        + HYPERBOLE
        + CONDOLENCE
        + PAST
        + RESCUE_PRAISE
        + COURSE
        + METAPHOR
        + STATS
        + ADMIN
        + HYPOTHETICAL
        + NEWS_SOURCE
        + THANKS
        + PRAISE_WORDS,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Emergency: incident reported",
        order=30,
        keywords=INCIDENT,
        exclude=NEGATION
        + HYPERBOLE
        + CONDOLENCE
        + PAST
        + RESCUE_PRAISE
        + COURSE
        + METAPHOR
        + STATS
        + ADMIN
        + HYPOTHETICAL
        + QUESTION
        + NEWS_HEADLINE
        + NEWS_SOURCE
        + THANKS
        + PRAISE_WORDS,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Emergency: missing person",
        order=40,
        match_mode="all",
        keywords=[_one_of(PERSON), _one_of(LOST)],
        exclude=NEGATION + CONDOLENCE + PAST + DOCUMENTS + FOUND + STATS,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Spam, ads and retweets",
        order=50,
        keywords=SPAM,
        queue="general",
        category="other",
        tags=["spam"],
        stop=True,
    ),
    _rule(
        name="Repeat contact",
        order=60,
        repeat_cases=3,
        repeat_days=7,
        tags=["repeat_contact"],
    ),
    _rule(
        name="High-reach account",
        order=70,
        min_followers=100_000,
        tags=["high_reach"],
    ),
    _rule(
        name="Condolences",
        order=75,
        keywords=CONDOLENCE,
        # A death blamed on the service is a complaint, and a question about
        # the paperwork of a death is an inquiry, not a condolence.
        exclude=COMPLAINT + QUESTION,
        queue="general",
        category="other",
        tags=["condolence"],
        stop=True,
    ),
    _rule(
        name="Sarcastic thanks",
        order=80,
        match_mode="all",
        keywords=[_one_of(SARCASM_PRAISE), _one_of(SARCASM_MARKERS)],
        queue="complaints",
        category="complaint",
        tags=["sarcasm"],
        stop=True,
    ),
    _rule(
        name="Thanks for a solved problem",
        order=90,
        match_mode="all",
        keywords=[_one_of(PRAISE), _one_of(RESOLVED)],
        exclude=UNRESOLVED,
        queue="general",
        category="praise",
        stop=True,
    ),
    _rule(
        name="Complaint",
        order=100,
        keywords=COMPLAINT,
        exclude=NO_WAIT,
        queue="complaints",
        category="complaint",
        stop=True,
    ),
    _rule(
        name="Inquiry",
        order=110,
        keywords=INQUIRY,
        # "ابي اشكر" and "I want to thank" are praise, whatever verb they use.
        exclude=THANKS_INTENT,
        queue="general",
        category="inquiry",
        stop=True,
    ),
    _rule(
        name="Praise",
        order=120,
        keywords=PRAISE,
        queue="general",
        category="praise",
        stop=True,
    ),
]
