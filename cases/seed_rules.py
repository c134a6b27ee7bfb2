"""The queues and routing rules a fresh installation starts with.

A data migration loads ``SEED_RULES`` (queues come from ``cases.defaults.QUEUES``) into
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
- Verb families cover conjugations and dialects (اغمي/اغمى/مغمى/انغمى/مغشيا،
  طاح/طايح/مطيح، انحبس/محبوس/عالق) and typos ("ambulence", "colapsed");
  weak signs ("ما يتحرك", "limp", "not crying") count only when said of a
  person present, and never of a queue, a phone line or a file. "فزعتكم" and
  "تكفون" are signs of urgency, not emergencies: citizens say them about
  paperwork too. A story told with a past word is still an emergency when
  it says "الحين"/"now" (the bleeding started after yesterday's surgery),
  unless it is long past, chronic ("مزمن", "من سنة"), mild ("a bit",
  "بسيط"), handled ("الاسعاف وصل") or an ambulance booked for a transfer.
- Systems "fall" and "die" too ("الموقع طايح"، "نظامكم مات"): those are
  complaints. News, announcements, football and questions to the admin are
  "other"; a message that opens with thanks and asks nothing is praise.
- Measured on tests/cases/data/triage_labelled.jsonl by
  tests/cases/test_triage_accuracy.py. Three batches of that file were
  written after the rules and scored before the rules were changed again;
  they are the honest estimate for unseen text (see the notes "batch2"..4).
  tests/cases/data/triage_blind.jsonl was written without reading the rules
  nor that file, by a different population of writers; its first
  measurements (tests/cases/test_triage_blind.py) are the honest figures:
  emergency recall 0.79 on the rules before this round, 0.57 on a harder
  second batch after it.
- The rules run to about 27,000 alternatives: matching looks the words of a
  mention up in one index of all of them (``text.PhraseSet``), so the size
  costs memory, not time per mention.
"""

from __future__ import annotations

from typing import Any


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
            "* دقيقه", "* دقايق", "زمان", "الصباح", "الظهر", "العصر", "الساعه *",
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
    "مو طوارئ|مب طوارئ|مو شي عاجل|مب شي عاجل|مو مستعجله|ما صار شي|ما صار لاحد شي|محد تضرر|ما احد تضرر|لا يوجد مصابين",
    "الكل بخير|الجميع بخير|كلهم بخير|nothing happened|everyone is fine|everyone is ok|everyone is safe|all safe|no leak|no fire",
    "حادث بسيط|حادث خفيف|صدمه خفيفه|خدش|خدوش|minor accident|fender bender|small scratch",
]
# Laughter and exaggeration: "بموت من الضحك", "dying to know".
HYPERBOLE = [
    "ضحك*|من الضحك|😂|🤣|ه|هه|lol|lmao|rofl|haha*",
    "dying to|dying for|dying of laugh*|killing it|killing me|boredom|bored|of hunger|من الملل|من الجوع|من الزهق",
    # "you gave me a stroke", "the crowd is killing me", "dead 💀"
    "جلطتو*|جلطتن*|جلطني|جلطنا|بتجلطن*|بيجلطن*|انجلطت|قاتلني|قاتلتني|قاتلنا|ذابحني|ذابحتني|ذابحنا|ذبحتون*|ذبحتن*|قتلتون*|موتون*|💀",
    _combine(
        "الانتظار|الزحمه|الزحام|الطابور|الدوام|الحر|الملل|الروتين|التاخير|الوضع|الرسوم|الفاتوره",
        "يذبح|تذبح|يقتل|تقتل|قاتل|يموت|يجلط|تجلط|بيذبحني|بيقتلني|بتذبحني|بتقتلني|بيجلطني|بتجلطني",
    ),
    "is killing me|killing us|kill me now|killed me|died laughing|gave me a heart attack|gave me a stroke|heart attack when i saw",
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
RECENT_PAST = [
    "امس|البارحه|البارح|قبل امس",
    "yesterday|last night",
]
LONG_PAST = [
    "الاسبوع الماضي|الاسبوع اللي فات|الاسبوع الي فات|الشهر الماضي|الشهر اللي فات|الشهر الي فات",
    "السنه الماضيه|السنه اللي فاتت|العام الماضي|العام الفائت",
    "قبل سنه|قبل سنتين|قبل سنوات|قبل * سنوات|قبل شهر|قبل شهرين|قبل اشهر|قبل * شهور|قبل * اشهر",
    "قبل اسبوع|قبل اسبوعين|قبل * اسابيع|قبل ايام|قبل * ايام",
    "last week|last month|last year|years ago|months ago|weeks ago|days ago",
    "قبل * سنين|قبل سنين|من سنين|ذكريات|ذكرى|اتذكر|تذكرت|الاسبوع اللي راح|الشهر اللي راح|عام 20*|سنه 20*",
    _combine(
        "الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|يوم الاحد|يوم الاثنين|يوم الثلاثاء|يوم الاربعاء|يوم الخميس|يوم الجمعه|يوم السبت",
        "الماضي|اللي فات|الي فات|اللي راح",
    ),
    "last monday|last tuesday|last wednesday|last thursday|last friday|last saturday|last sunday|last weekend|back in 20*|remember when",
]
PAST = RECENT_PAST + LONG_PAST
# Long-standing conditions: "ضيق تنفس مزمن", "ما تتحرك من سنة".
CHRONIC = [
    "مزمن*|chronic|من سنه|من سنين|من زمان|من شهور|من * سنوات|من * شهور|من * سنين|منذ سنوات|منذ الولاده|من الولاده",
    "for years|for months|since birth|since childhood|من صغره|من صغرها",
    "من اسبوع|من اسبوعين|من * اسابيع|for weeks|for a week|since last week",
    # what is left of an old event: "ما يقدر يمشي بعد الجلطة"
    # not "بعد الولادة" nor "بعد العملية": bleeding after either is an emergency
    "بعد الجلطه|بعد السكته|منذ الجلطه|منذ الحادث|منذ الاصابه|من يوم الجلطه|من يوم الحادث",
    "after the stroke|after his stroke|after her stroke|after the accident|since the stroke|since the accident",
]
# Mild, and the routine of a clinic: a blood test, a vaccine, a sore arm.
MILD = [
    "a bit|a little|slightly|mild|minor|شوي|شويه|بسيط|بسيطه|خفيف|خفيفه",
    "سحب دم|سحبت دم|سحب* الدم|تحليل دم|ابره|الابره|تطعيم*|لقاح*|injection|blood test|blood draw|took blood|drew blood|vaccin*|jab",
]
# Help arrived: the incident is being handled.
HANDLED = [
    "المرور وصل|وصل المرور|الاسعاف وصل*|وصل* الاسعاف|الدفاع المدني وصل*|وصل* الدفاع المدني|police arrived|ambulance arrived|paramedics arrived",
]
# An ambulance booked for a transfer or an appointment.
SCHEDULED = [
    "لنقل|نقل مريض|نقل ابوي|نقل امي|نقل والدي|نقل والدتي|لموعد|موعد غسيل|موعده|موعدها",
    "scheduled|transfer him|transfer her|transport him|transport her|for his appointment|for her appointment|to his appointment|to her appointment",
]
# "Save me from this app": a complaint, not a call for help.
TRIVIAL_RESCUE = [
    _combine(
        "انقذون*|انقذونا|انقذوني|الحقون*|الحقونا|الحقوني|الحقوا|save me|save us|help me|help us",
        "من هالتطبيق|من التطبيق|من هالموقع|من الموقع|من هالنظام|من النظام|من هالسيستم|من هالزحمه|من الزحمه|من هالطابور|من هالروتين|من الروتين|من هالانتظار|from this app|from the app|from your app|from this queue|from the queue",
    ),
]
# Someone thanking the team that already saved a life.
RESCUE_PRAISE = [
    "انقذ* حياه|انقذ* حياتي|انقذ* حياته|انقذ* حياتها|saved my|saved his|saved her|saved our|saved the life",
    # the person is already safe: the story is told afterwards
    "hes fine now|shes fine now|is fine now|is ok now|is okay now|all good now|صار بخير|صارت بخير|بخير الحين|الحين بخير|الحمد لله على السلامه|الحمدلله على السلامه",
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
    "تجربه اخلاء|تجربة اخلاء|اخلاء تجريبي|اخلاء وهمي|فرضيه|فرضيات|تمرين*|evacuation drill|mock drill",
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
    # floods of messages, paperwork and debt; cigarette smoke
    "سيل من|سيول من|طوفان من|flood of|flooded with messages|flooded with emails|flooded with calls|flooded with requests",
    "غرقان* بالشغل|غرقان* في الشغل|غرقان* بالمعاملات|drowning in paperwork|drowning in bills|drowning in requests|drowning in love",
    "رسايل|الرسايل|الرسائل|رسائل|تنبيهات|اشعارات|notifications|emails",
    "سجاير|سجائر|سيجاره|يدخن*|تدخين|مدخن*|شيشه|معسل|cigarette*|smoking",
]
# Numbers, studies and awareness campaigns about a kind of incident.
STATS = [
    "احصاي*|احصاء*|نسبه|نسب|معدل*|ارقام|الارقام|دراسه|بحث|ابحاث|تزايد|ارتفاع عدد|انخفاض",
    "statistic*|research|study|survey|rate|rates|percent*|figures|numbers show",
    "توعيه|التوعيه|توعوي*|حمله|حملات|اليوم العالمي|الوقايه|وقايه|احتياطات|نصايح|نصائح|كيف اتجنب|كيف نتجنب",
    "awareness|campaign|prevention|prevent|precaution*|tips|how to avoid|world day",
]
# The website, app or system "fell", "died", "hangs": a complaint, never a body.
SYSTEM = "السيستم|النظام|الموقع|التطبيق|البرنامج|المنصه|الشبكه|الابلكيشن|سيستم|نظام|موقع|تطبيق|منصه|نظامكم|موقعكم|تطبيقكم|سيستمكم|منصتكم|الخط|علي الخط|الاتصال|المكالمه|النت|الانترنت"
SYSTEM_DOWN = [
    _combine(
        SYSTEM,
        "واقع|طايح|طاح|وقع|مات|ميت|هانق|معلق|فاصل|خربان|عطلان|واقف|متوقف|يعلق|يهنق|ما يشتغل|مو شغال|ما يفتح|بطيء|ثقيل|داون",
    ),
    _combine("طاح|طايح|وقع|واقع|مات|علق|هنق|وقف|تعطل|خرب", SYSTEM),
    "the app|this app|your app|the website|your website|the site|the system|the portal|app is|site is|website is|system is",
]
# Asking about the service around an incident rather than reporting one.
ADMIN = [
    "وظائف|وظيفه|توظيف|وظايف|jobs|job|vacanc*|hiring|career*",
    "رقم الاسعاف|ambulance number|number for the ambulance|number for ambulance",
    "تقرير*|medical report|accident report|police report|تعويض*|compensation|insurance|تامين",
    "اعراض*|symptom*|طبيعي|is it normal|is this normal|اسباب|علاج|treatment",
    "الشبكه|السيستم|النظام|الموقع الالكتروني|الموقع طايح|الموقع طاح|طاح الموقع|التطبيق|المنصه|منصه|صحتي|توكلنا|system|network|website|the app|sehhaty",
    *SYSTEM_DOWN,
    # which number to call, how to report: asked before anything happened
    "رقم الدفاع المدني|رقم الطوارئ|رقم الهلال الاحمر|رقم الشرطه|كم رقم|وش رقم|ايش رقم|ما رقم|ما هو رقم",
    "what number|which number|whats the number|the number for|number to call|emergency number|hotline number",
    "how do i report|how to report|how can i report|where do i report|كيف ابلغ|كيف اقدر ابلغ|وين ابلغ|طريقه التبليغ|طريقه الابلاغ",
    "for future reference|asking for future|just in case|for the future|in the future|للمستقبل|مستقبلا|للاحتياط",
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
# What someone asks for: the paperwork after a death is an inquiry, not a condolence.
ASKS_FOR = [
    "ابي اعرف|ابغى اعرف|ابغي اعرف|ودي اعرف|حاب اعرف|اجراء*|الاجراءات|استخراج|كيف|طريقه|procedure*|how do|how can|what do i need",
]
# Following up one's own complaint is a question about its status.
COMPLAINT_STATUS = [
    _combine(
        "حاله|متابعه|رقم|وين وصلت|وش صار على|ايش صار على", "الشكوي|شكواي|البلاغ|بلاغي|الطلب|طلبي"
    ),
    "status of my complaint|complaint status|complaint number|status of my report|follow up on my complaint",
]
# A message that opens with thanks and asks nothing is praise, whatever it mentions.
OPENING_THANKS = [
    "^شكر*|^مشكور*|^نشكر*|^اشكر*|^الشكر|^كل الشكر|^جزيل الشكر|^يعطيكم العافيه|^الله يعطيكم العافيه|^الله يجزاكم|^جزاكم الله",
    "^thank*|^thx|^big thanks|^many thanks|^huge thanks|^special thanks|^a big thank|^shoutout|^shout out|^kudos",
    "^الحمد لله|^الحمدلله|^اللهم لك الحمد|^الله يجزا*|^الله يجزي*|^الله يعطيكم العافيه",
]
# "Thanks, unfortunately nothing changed".
STILL_BAD = [
    "للاسف|مع الاسف|لسه|لسا|للحين|مازال|ما زال|unfortunately|sadly|yet",
]
ASKS_ANYTHING = [
    "?|متى|كيف|هل|وين|كم|وش|ايش|شلون|ابي|ابغى|ابغي|نبي|ممكن|لو سمحت|ياليت|يا ليت|استفسار|سؤال|بس|لكن|ولكن",
    "^how|^when|^where|^what|can i|can you|could you|how do|how can|is there|please advise|any update|but|however",
]
# Football, challenges, questions to the admin: chatter, not a request.
CHATTER = [
    # not "الدوري" alone: "الفحص الدوري" is a periodic check-up
    "مباراه|المباراه|مباريات|دوري روشن|الدوري السعودي|كوره|الكوره|الزعيم|المنتخب|⚽|تحدي|ادمن|الادمن|يا ادمن",
    "football|soccer|the match|the admin|admin|الجو اليوم|الطقس|weather",
]

# Official news and announcements, when the writer neither asks nor complains.
ANNOUNCEMENT = [
    "^عاجل|^breaking|^خبر|^تنبيه|تعلن|اعلنت|يعلن|تطلق|اطلقت|تدشن|دشنت|تدشين|بيان|announces|announced|launches|launched|press release",
]

# Headlines and official statements (only for the plain incident rule: a
# citizen writing "عاجل" about their own emergency is caught by the rules
# that need a sign of immediacy).
NEWS_HEADLINE = ["^عاجل|^breaking|^خبر|breaking news|^urgent news"]
NEWS_SOURCE = [
    "واس|وكاله|مصادر|مراسل*|المتحدث*|متحدث*|بيان|تعلن|اعلنت|اعلن|يعلن|تحذر|يحذر|حذر*|الارصاد",
    "السيطره على|تمت السيطره|سيطر*|اخماد|تم اخماد|يباشر|باشرت|تباشر",
    "reports|reported|according to|spokes*|announce*|officials|authorities|contained|under control",
    "طلع الخبر|تطلق|اطلاق|تدشن|تدشين|تصريح|news|headline",
]

# ---------------------------------------------------------------- emergencies

LIFE_AT_RISK = [
    # calls for help
    "انقذون*|انقذوا|انقذو|انقذني|الحقونا|الحقوني|الحقوا|الحقو|الحقني|الحقوا علينا|الحق علينا|نجده|النجده",
    "sos|🆘|somebody help|someone help|send help|need help now|someone please help|anyone help|urgent help",
    "el7ago*|il7ago*|el7a2o*|il7a2o*|el7goona|ilhagoona|alhagoona|an8thoona|anqethoona",
    # ambulance requested now
    "ارسلوا اسعاف|ارسلو اسعاف|ارسلوا الاسعاف|ارسال اسعاف|ارسال سياره اسعاف|اطلبوا اسعاف|اطلبو الاسعاف",
    "ابي اسعاف|ابغى اسعاف|نبي اسعاف|نبغى اسعاف|نحتاج اسعاف|محتاجين اسعاف|وين الاسعاف|وينكم يا الاسعاف",
    "الاسعاف ما وصل|الاسعاف ما جا|الاسعاف ما جاء|الاسعاف تاخر|لم يصل الاسعاف",
    "send an ambulance|send ambulance|need an ambulance|need ambulance|call an ambulance|where is the ambulance|no ambulance",
    # breathing
    "ما يتنفس|ما تتنفس|ما اتنفس|ما اقدر اتنفس|ماقدر اتنفس|مو قادر يتنفس|مو قادره تتنفس|ما يقدر يتنفس|ما تقدر تتنفس",
    "لا يتنفس|لا تتنفس|لا استطيع التنفس|توقف عن التنفس|توقف* تنفس*|انقطع* نفس*|يختنق|تختنق|مختنق*",
    "cant breathe|cannot breathe|can not breathe|not breathing|stopped breathing|struggling to breathe|choking",
    "cant breath|cannot breath|cant breth|hard to breathe|trouble breathing|difficulty breathing|short of breath|shortness of breath|gasping",
    "نفسه مقطوع|نفسها مقطوع|ما قدر يتنفس|ما قدرت تتنفس|ما قدرت اتنفس|يشهق|تشهق|ينازع|تنازع",
    # consciousness
    "مغمى علي*|اغمي علي*|اغمى علي*|فاقد* الوعي|فاقد* للوعي|فقد* الوعي|فقد* وعي*|غايب* عن الوعي|غائب* عن الوعي",
    "ما يصحى|ما تصحى|ما يستجيب لنا|لا يستجيب لنا",
    # fainted, in every conjugation and spelling: اغمي، مغمى، انغمى، مغشيا
    "اغمي*|اغمى*|مغمى*|مغمي*|انغمى*|انغمي*|يغمى علي*|تغمى علي*|غمى علي*|مغشيا علي*|مغشي*|مغشى علي*",
    _combine(
        "ما|مو|مب|مهو|ماهو|ما هو|مش|لا|ولا",
        "يصحى|تصحى|يصحا|يفوق|تفوق|فاق|فاقت|صحى|صحت|واعي|واعيه|داري عن نفسه|داريه عن نفسها|دارين عن انفسهم",
    ),
    "not waking|isnt waking|wont wake|not wake|doesnt wake|didnt wake|cant wake|unconcious|unconsious|unconscous|uncounscious",
    "passing out|blacked out|keeled over|not conscious|lost consciousness|losing consciousness|man down|person down",
    "unconscious|passed out|fainted|unresponsive|not responsive|wont wake up|not waking up|cant wake him|cant wake her",
    "مغشي علي*|مغمي علي*|ما قدرنا نصحي*|القلب وقف|قلبه وقف|قلبها وقف|وقف قلبه|وقف قلبها|ما فيه نبض|ما في نبض|مافي نبض|انعاش|نسوي له انعاش",
    "دخل* في غيبوبه|he wont respond|she wont respond|hes not responding|shes not responding|not responding to us",
    "too many pills|took too many|going to pass out|about to pass out|about to faint|going to faint",
    "تاذي نفسها|ياذي نفسه|اذي نفسي|ايذا* النفس|ايذا* نفسه|ايذا* نفسها|اذيه النفس|حاول* تاذي|حاول* ياذي",
    "sleeping pills|bottle of pills|whole bottle|took * pills|حبوب منومه|بلع* حبوب|اخذ* حبوب كثير*|علبه حبوب|شريط حبوب",
    _combine(
        "تناول*|اخذ*|بلع*|شرب*",
        "كميه كبيره|كميه من الادويه|كميه من الحبوب|جرعه كبيره|ادويه كثير*|حبوب كثير*|كل الحبوب|كل الدوا*",
    ),
    "تنام ولا تصحو|ينام ولا يصحو|تنام وما تصحى|ينام وما يصحى|sleep and not wake|sleep forever",
    "رساله وداع|ودعني|ودعتني|يودعني|تودعني|يودعنا|سامحوني على كل شي|سامحيني على كل شي|سامحني على كل شي",
    "said goodbye|texted me goodbye|texting goodbye|goodbye message|final message|sorry for everything|forgive me for everything",
    "cant swallow|can not swallow|cannot swallow|unable to swallow|ما يقدر يبلع|ما تقدر تبلع|ما يقدر يبتلع",
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
    "hurt himself|hurt herself|hurting himself|hurting herself|harm himself|harm herself|cut himself|cut herself",
    "fainting|his heart stopped|her heart stopped|heart stopped beating",
    "end it all|better off dead|better off without me|dont want to live|no reason to live|suicidal|going to end it|gonna end it",
    _combine(
        "ما|ما عاد|ماعاد|مو|لا",
        "ابي اعيش|ابغى اعيش|اريد اعيش|اريد ان اعيش|اريد العيش|يبي يعيش|تبي تعيش|يبغى يعيش|تبغى تعيش",
    ),
    "ودي اموت|نفسي اموت|ابي انتحر|ابغى انتحر|بموت نفسي|جرح نفسه|جرحت نفسها|جرحت نفسي|يجرح نفسه|تجرح نفسها",
    _combine("انهي|بنهي|بانهي|ينهي|تنهي|بينهي|بتنهي|راح انهي|ابي انهي|نهيت", "حياتي|حياته|حياتها"),
    # violence in progress
    "يضربني|يضربنا|يضربها|يضربه|يضربون|تضربني|ضربني|ضربوني|يعنفني|يهددني|يهددنا|يهدد* بسكين|بسكين|سكين|مسدس|اطلاق نار|طلق ناري|مطعون|مطعونه",
    "beating me|beating her|beating him|being beaten|hitting me|hitting her|abusing me|stabbed|stabbing|shooting|gunman|gun|knife",
    "is beating|are beating|beating his|beating their|beating the|beats his|beats her|beats the|hitting his|hitting the kids",
    # threats to kill or hurt, said of someone present; hiding from him
    "بيذبحني|بيقتلني|بيقتلنا|بيذبحنا|بيقتلها|بيذبحها|بيقتله|بيذبحه|يبي يقتلني|يبغى يقتلني|راح يقتلني|يبي يذبحني|بيضربني|بيضربنا",
    "هددني|هددنا|يهددها|يهدده|يهددهم|تهددني|يهدد بالقتل|يهدد يقتل|يهدد يذبح|يهدد يحرق|هدد* بالقتل|تهديد بالقتل",
    "will kill me|gonna kill me|going to kill me|wants to kill me|threatened to kill|threatening to kill|threatening me|threatening us|threatens me",
    "will hurt me|hell hurt me|going to hurt me|gonna hurt me|wants to hurt me|threatened to hurt|hurting me|attacking me|attacking us",
    "hiding from him|im hiding|i am hiding|hiding in the|locked myself in|مختبي*|متخبي*|مستخبي*|قفلت على نفسي|قافله على نفسي",
    "سلاح ابيض|ساطور|رشاش|رصاص|يطلق النار|يطلقون النار|طلقات|shots fired|armed man|machete",
]
INCIDENT = [
    # fire and smoke
    "حريق*|حرايق|حرائق|احترق*|انحرق*|اشتعل*|اشتعال|شب* النار|النار شب*|ولعت|ولعت النار|تولع|النار وصل*|النار منتشر*",
    "دخان كثيف|الدخان يتصاعد|دخان يطلع|الدخان داخل|الدخان مالي",
    "fire|fires|on fire|blaze|flames|building is burning|house is burning|car is burning|smoke everywhere|thick smoke|smoke coming",
    "نار في|النار في|النار ماسكه|ماسكه نار|ماسك نار|مسكت نار|مسك نار|مسكت فيه النار|طلع* نار|شرار*|شرر|يولع|تولع|مولع*|يشتعل|تشتعل|مشتعل*",
    "caught fire|catching fire|smoke in the|smoke from the|full of smoke|smell of smoke|smell smoke|smoke smell|ريحه حريق|ريحه شي يحترق",
    "حروق|حروقه|حروقها|حروق* كبير*|انحرق*|زيت حار|زيت مغلي|موي* مغلي*|ماء مغلي|انسكب* علي*|انكب* علي*",
    "badly burned|severe burns|bad burns|burned his|burned her|burns on|third degree|second degree|7areeq|7ariq|7areq",
    "سياره مولعه|السياره مولعه|البيت مولع|مولعه نار",
    # accidents, falls and injuries
    "حادث|حادثه|حوادث|تصادم|اصطدام|تصادمت|اصطدمت|صدم* سياره|صدمته|صدمتها|صدمتهم|صدمتني|دعس*|دهس*|مدهوس*|مدعوس*",
    "مقلوب*|منقلب*|انقلبت|انقلب بهم|تقلبت|قلبت فيهم|قلبت بهم",
    "انقلاب سياره|انقلبت سياره*|انقلبت السياره|انقلبت بهم|تدهور* سياره|تدهورت السياره|تدهورت بهم|حالته تتدهور|حالتها تتدهور",
    "مصابين|مصابون|جرحى|جريح|اصابات خطير*|اصابه خطير*|اصابه بليغ*|اصابات بليغ*|بجروح|مصاب* بجروح|اصيب* بجروح|اصيب* بكسور",
    "ينزف|تنزف|ينزفون|نزف*|نزيف*|يستفرغ دم|تستفرغ دم|استفراغ دم|تقيو* دم|يتقيا دم|ينزف دم",
    "طاح|طاحت|طاحو|طايح*|سقط من|سقطت من|سقوطه من|سقوطها من|سقط* من الدور",
    "سقط في|سقطت في|سقط ارضا|سقطت ارضا|سقط على الارض|سقطت على الارض|واقع في الارض|واقع على الارض|واقع بالارض|واقعه على الارض|واقعه في الارض",
    "ممدد على الارض|ممدده على الارض|منسدح على الارض|مرمي على الارض|مرميه على الارض|lying on the ground|lying on the floor|is on the ground|is on the floor",
    "accident|car crash|crashed into|hit by a car|run over|ran over|collision|pile up|pileup|overturned",
    "hit and run|knocked down|knocked over|pedestrian|car flipped|flipped over|rolled over|fall from|fall down|falled|felled|fell on his head|fell on her head",
    "injured|injuries|wounded|bleeding|badly hurt|seriously hurt|vomiting blood|fell from|fell off|fell and|fell down|he fell|she fell|has fallen|had a fall",
    "bleed*|bleding|bledding|blooding|blood coming|blood is coming|blood from|blood all over|covered in blood|lot of blood|lots of blood|losing blood",
    "الدم في كل مكان|دم في كل مكان|غرقان بدم*|غرقانه بدم*|سايل دم*|الدم يسيل|دمه يسيل|دمها يسيل|يطلع منه دم|يطلع منها دم|ينزل منه دم|ينزل منها دم",
    "انطعن*|طعنوه|طعنوها|طعنها|طعنني|طعن واحد|طعن شخص|طعن رجل|طعن ريال|طعن موظف|طعن حارس|طعن ولد|طعن بنت|طعن* بسكين|طعن* بالسكين",
    # explosions, gas, collapse
    "انفجار*|انفجر*|explosion|exploded|blast",
    "تسرب* غاز|تسريب غاز|ريحه غاز|ريحة غاز|رائحه غاز|رائحة غاز|gas leak|leaking gas|smell of gas|smell gas|smells like gas|gas smell",
    "ريحه الغاز|رائحه الغاز|غاز يتسرب|الغاز يتسرب|تسرب* الغاز|تسريب الغاز|gas leaking|smells of gas|strong gas|carbon monoxide|شبه الفحم|دخان الفحم",
    "كهرب|كهربه|كهربته|كهربها|تكهرب*|مكهرب*|انكهرب*|لمس سلك|لمس السلك|ماسك* كهربا*|الكهربا* ماسك*",
    "تهدم*|انهدم*|تحت الانقاض|تحت الركام|under the rubble|تيار كهربا*|صدمه تيار|ضربه كهربا*|ضربته الكهربا*|ضربتها الكهربا*",
    "انهيار*|انهار*|سقوط مبنى|سقط* سقف|طاح السقف|طاح* سقف|collapsed|collapse",
    # water
    "غرق*|غريق|سيل|سيول|فيضان*|محاصر*|محتجز*|محبوس*|محشور*|عالق* في المصعد|عالق* في السيل|علق* في المصعد",
    "drown*|flood*|trapped|stuck in the elevator|stuck in elevator|stuck in the lift|swept away",
    "جرف*|انجرف*|غمر*|مغمور*|تغمر|موي* غطت|غطت الموي*|موي* دخلت|دخلت الموي*|موي* ترتفع|الماء يرتفع|ارتفاع الموي*|ارتفاع منسوب|موي* وصلت",
    "washed away|water rising|water is rising|rising water|water up to",
    "انحبس*|حبسن*|علقنا|عالقين|انقفل علي*|مقفول علي*|قفل علي* الباب|تسكر علي*",
    _combine(
        "علق*|عالق*|محبوس*|محتجز*|انحبس*|محشور*",
        "في المصعد|بالمصعد|في الاصنصير|بالاصنصير|في الاسانسير|بالاسانسير|في السياره|بالسياره|داخل السياره|داخل المصعد|بين الادوار",
    ),
    _combine(
        "stuck in|stuck inside|trapped in|locked in|locked inside|left in|left inside",
        "the elevator|elevator|an elevator|the lift|a lift|the car|a car|his car|her car|my car|a hot car|the bus|the room|the bathroom|the basement",
    ),
    # poisoning and swallowed objects
    "تسمم*|مسموم*|ابتلع*|بلع|بلعت|بلعه|جرعه زايده|جرعه زائده",
    _combine(
        "شرب*|اكل*|بلع*", "منظف*|كلور*|فلاش|ديزل|بنزين|كاز|مبيد*|سم|سموم|صابون|حبوب|مطهر*|تنر|اسيد"
    ),
    "poison*|swallowed|overdos*|bleach",
    # sudden illness
    # nouns only: "جلطتوني بالرسوم" is a complaint
    "جلطه|الجلطه|جلطات|جلطه دماغيه|جلطه قلبيه|سكته|سكته قلبيه|سكته دماغيه|نوبه قلبيه|ازمه قلبيه|ذبحه صدريه",
    "توقف* القلب|توقف قلب*|اصيب* بنوب*|اصيب* بجلط*|نوبه صرع|تشنج*|يتشنج|تتشنج|ينتفض|تنتفض",
    _combine(
        "جته|جاته|جتها|جاتها|جاه|جاها|صابته|صابتها|اصابته|اصابتها|داهمته|داهمتها",
        "نوبه|نوبه قويه|نوبه ربو|نوبه صرع|نوبه قلبيه|ازمه|ازمه ربو|ازمه قلبيه|جلطه|سكته|تشنج|تشنجات|صرع|غيبوبه|حساسيه",
    ),
    "نوبه ربو|ازمه ربو|ازمه تنفس*|نوبه قويه|asthma attack|inhaler isnt|inhaler not|no inhaler",
    "منتفخ|منتفخه|انتفخ*|متورم*|throat closing|throat is closing|throat swelling|swollen face|face is swelling|face swollen|lips swelling|epipen|epi pen",
    "نص جسمه|نص جسمها|انشل*|شلل مفاجي|cant talk|cannot talk|unable to speak|slurring|numb on one side",
    "السكر نزل|نزل السكر|السكر نازل|هبط السكر|السكر هابط",
    _combine(
        "الم|الام|وجع|عوار|ضيقه|ضغط|ثقل|نغزه|نغزات|الم *|وجع *|عوار *|ضيقه *|نغزه *",
        "في صدره|في صدرها|في صدري|بصدره|بصدرها|بصدري|في قلبه|في قلبها",
    ),
    "صدره يعوره|صدرها يعورها|صدري يعورني|يعوره صدره|تعورها صدرها|صدره يوجعه|صدرها يوجعها",
    _combine(
        "اسطوانه الغاز|اسطوانه غاز|الغاز|غاز|سلندر|الدافور",
        "تصفر|يصفر|يسرب|تسرب|يطلع|ريحته|ريحتها|مفتوح|ينفس",
    ),
    "اتعرض للضرب|تعرض* للضرب|تعرض* للاعتداء|يكسر الباب|يكسرون الباب|كسر الباب علي*|يكسر الباب علي",
    "مطيح*|صدمنا|صدمهم|صدم بعير|صدمنا بعير|صدمنا جمل|بعير|جمل سايب",
    "ambulanse|ambulence|amblance|embulance|ambulanc|colapsed|collaped|collasped|colapse|unconsciuos",
    "came down on|fell on the|fell on top|buried under|under it|under the wall|stuck under|trapped under|جدار طاح|طاح الجدار|سقط جدار|انهار جدار|حايط طاح",
    "dropped to the|fell to the|hit the floor|to the floor|to the ground|panicking",
    "door locked|locked inside|crying inside|stuck inside|cant get out|cannot get out|can not get out|ما يقدر يطلع|ما تقدر تطلع|ما نقدر نطلعه|ما قدرنا نطلعه|ما نقدر نفتح",
    "jal6a|jalta|jal6ah|mughma|moghma|mghma|yenzef|tenzef|nazeef|ghareeq|gharig|ghare8",
    "ضيق* شديد* في التنفس|ضيق تنفس شديد|ضيق في التنفس|ضيق التنفس|ضيق تنفس|صعوبه في التنفس|صعوبه تنفس|اختناق",
    "حال* حرج*|حاله طارئه|حاله طوارئ|حالات طارئه|حالت* صعبه|حالت* خطير*|وضعه خطير|وضعها خطير|حساسيه شديده|تورم* وجه*|انتفخ* وجه*|تورم* حلق*",
    "حالت* تسوء|حالت* تسوء بسرعه|حالت* تتدهور|تدهورت حالت*|حالت* تعبانه مره|getting worse fast|deteriorating|وقع من|وقعت من|وقع على|وقعت على",
    "غيبوبه|coma|اغماء|حاله اغماء|هبوط* حاد|هبوط في السكر|هبوط السكر|هبوط سكر|نزل عليه السكر|نزل عليها السكر|ضربه شمس|اجهاد حراري|تدافع",
    "low blood sugar|sugar dropped|hypoglyc*|heat stroke|heatstroke|heat exhaustion|stampede|serious condition",
    "الم* في صدر*|الم* بصدر*|الم في الصدر|وجع* في صدر*|chest pain|pain in his chest|pain in her chest|pain in my chest",
    "صعق* كهرب*|انصعق*|مصعوق*|ماس كهربا*|تماس كهربا*|التماس الكهربا*|الكهربا فيها تماس|تماس في الكهربا|electric shock|electrocut*",
    "عضه كلب|عضها كلب|عضني كلب|عضته|لدغ*|ثعبان|عقرب|dog bite|bitten by|snake|scorpion",
    "كلب* هاجم*|هاجم* كلب*|كلاب ضال* هاجم*|مسعور*|عضها|عضني|عضت|عض بنت|عض ولد|عض طفل|نهش*|افترس*|mauled|dog attack|dogs attacked|dog attacked|bitten",
    "شرقان*|غصان*|علق* في حلق*|ماي حار|مويه حاره|موية حارة|boiling water|scald*|تسرب* كيماوي*|chemical leak|chemical spill",
    "in labor|in labour|baby is coming|water broke|waters broke|تولد الحين|بتولد|جاها الطلق|جاها طلق|ماء الراس|موية الراس",
    "يدمي|تدمي|الدم ما وقف|الدم ما يوقف|blood everywhere|lots of blood|losing blood|راسه مفتوح|راسها مفتوح|head injury|hit his head|hit her head|hit my head",
    "heart attack|cardiac arrest|stroke|seizure|seizures|convuls*|anaphyla*|allergic reaction|turning blue|critical condition",
    "its an emergency|this is an emergency|medical emergency|emergency situation",
    "medics|need a medic|send a doctor|send doctor|need a doctor now|need medical help|need medical attention|need first aid",
    "يخطف|يخطفون|خطفو*|خطفت|اختطف*|يختطف|مخطوف*",
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
    "دخان|الدخان|يحترق|تحترق|يحترقون|محروق*|يدوخ|تدوخ|يدوخون|دوخه|burning|burned|burnt|dizzy|smoke",
    "يزرق|تزرق|مزرق*|نفسه سريع|نفسها سريع|تنفسه سريع|يلهث|تلهث|يضرب|تضرب|يضربون",
]
# Signs that alone mean little ("not moving": the queue), but said of a person present do.
WEAK_DISTRESS = [
    "ما يتحرك|ما تتحرك|ولا يتحرك|ولا تتحرك|مايتحرك|ماتتحرك|مو قادر يتحرك|مو قادره تتحرك|ما يتكلم|ما تتكلم|وما يتكلم|وما تتكلم",
    "ما يرد علي|ما ترد علي|ما يرد علينا|ما ترد علينا|ما يحرك|ما تحرك|عيونه مقلوبه|عيونها مقلوبه|جسمه بارد|جسمها بارد|برد جسمه|حرارته نار|حرارتها نار",
    "شفايفه زرق|شفايفها زرق|وجهه اصفر|وجهها اصفر|مصفر|مصفره|ينتفض|يرجف|ترجف|يتلوى|تتلوى|يصيح من الالم|تصيح من الالم|من الالم",
    "limp|floppy|not crying|not moving|not talking|wont respond|not responding|cold and pale|very pale|turning purple|purple|blue lips|wont stop crying",
    "not waking|isnt moving|isnt breathing|barely breathing|breathing fast|in a lot of pain|screaming in pain|writhing",
]
# A person who is here: the writer's family, or someone in front of them.
PERSON_PRESENT = [
    "ابوي|امي|اخوي|اختي|ولدي|بنتي|زوجي|زوجتي|ريلي|حرمتي|ابني|طفلي|طفلتي|عيالي|والدي|والدتي|جدي|جدتي|خالي|خالتي|عمي|عمتي|صديقي|صديقتي|ياهل|بزر*|المولود|مولود*",
    "واحد|وحده|شخص|رجال|ريال|رجل|حرمه|امراه|طفل|الطفل|ولد|الولد|بنت|البنت|عامل|العامل|شايب|عجوز|حاج|مريض|المريض",
    "my|he|she|hes|shes|someone|somebody|man|woman|lady|guy|baby|child|kid|toddler|boy|girl|worker|patient",
]
# Queues, systems and paperwork that are "not moving" or "not answering".
NOT_A_BODY = [
    "طابور|الطابور|الدور|دوري|الصف|معامل*|المعامله|الطلب|طلب*|الموعد|موعد*|البلاغ|بلاغ*|الملف|ملف*|الخط|الجوال|التلفون|الهاتف|الرقم",
    "بخصوص|بشان|بشأن|regarding|about his|about her",
    "queue|line|my turn|application|file|phone|call|email|ticket|request|case|call center|hotline",
    "انجليزي|عربي|english|arabic|لغه|language",
]
# Said now: the story may start yesterday ("طلعت من عملية امس والحين الجرح ينزف").
NOW_STRONG = [
    "الحين|هالحين|الان|حاليا|الحين الحين|el7een|al7een|now|right now|currently|at the moment|as we speak|still bleeding|لا يزال|ما زال|مازال"
]
# Wanting to complain about what happened, not asking for help with it.
COMPLAINT_INTENT = [
    "ابي اشتكي|ابغى اشتكي|اريد ان اشتكي|ابي ارفع شكوي|ارفع شكوي|اقدم شكوي|تقديم شكوي|شكوي رسميه|حسبي الله",
    "file a complaint|want to complain|formal complaint|lodge a complaint|report this staff|unacceptable",
]

# Signs that the incident is happening now, here, or to the writer's people.
NOW = [
    "الحين|هالحين|الان|حاليا|توه|توها|بسرعه|سريعا|فورا|عاجلا|بأسرع وقت|تكفون|تكفى|تكفي",
    "ساعدو*|ساعدني|ارسلو*|ارسال|ابي|نبي|ابغى|نبغى|نحتاج|محتاجين",
    "عندنا|عندي|جيران*|جاري|جارتي|جارنا|بيتنا|بيتي|شقتنا|شقتي|عمارتنا|حينا|حارتنا|قدامي|قدامنا|قدام|جنبنا|جنبي|داخل|داخلها|داخله|معنا|فينا",
    "ابوي|امي|اخوي|اختي|ولدي|بنتي|زوجي|زوجتي|ابني|طفلي|طفلتي|عيالي|والدي|والدتي|جدي|جدتي",
    "فوقنا|تحتنا|نخاف علي*|خايف* علي*|قاعد* ينزف|للحين|الولد|البنت|الطفل|الطفله|المريض|المريضه",
    "فزعتكم|فزعه|ياناس|يا ناس|يا جماعه|يا عالم|يا اهل الخير|ساعدونا|ساعدوني|الحقوا|احد يجي|احد يروح",
    "ريال|رياييل|المراجعين|مراجعين|موظف|موظفه|الموظف|موظفين|حارس|سواق|عمال|خادمه|شغاله|زوجتي|ريلي|حرمتي|ياهل|بزر*|خالي|عمي",
    "el7een|al7een|el7in|al7in|bsor3a|besor3a|bsr3a|abooy|aboy|omi|ommi|weldi|wldi|bnti|ukhti|akhoy",
    "hlp|pls|plz|urgent|urgently|emergency|immediately|come quick|lady|man|guy|visitor|employee|labour|labor|husband|wife|sir|madam",
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
    "طفله|طفلتي|بنيتي|زوجي|زوجتي|شيبه|جده|جدتي|husband|wife|brother|sister|grandad|granny|nephew|niece",
]
LOST = [
    "ضاع|ضاعت|ضايع|ضايعه|ضايعين|مفقود*|اختفى|اختفت|اختفا*|تاه|تاهت|تايه|تايهه|خطف*|مخطوف*",
    "missing|is lost|got lost|went missing|cant find|cannot find|disappeared|kidnap*|abduct*",
    "ما رجع|ما رجعت|مارجع|مارجعت|ما رجعو|لم يعد|لم تعد|ما عاد للبيت|ما وصل البيت|ما وصلت البيت|ما وصل للبيت|ما وصلت للبيت",
    "جواله مقفل|جوالها مقفل|جواله مغلق|جوالها مغلق|جواله يرن|جوالها يرن|الجوال يرن|ما يرد على جواله|ما ترد على جوالها",
    "يخطف|يخطفون|خطفو*|اختطف*|يختطف",
    "hasnt come back|didnt come back|hasnt come home|didnt come home|not come home|never came home|never came back|not back yet|hasnt returned",
    "phone is off|phone off|not answering his phone|not answering her phone|wandered off|wandered away|ran away|run away|walked off",
    "مختفي*|ما ندري وين*|ما نعرف وين*|ما ندري وين راح|وين راح|ما لقيناه|ما لقيناها|ندور عليه|ندور عليها|نبحث عنه|نبحث عنها",
    "wandering|wanders|we cant find|searching for him|searching for her|looking everywhere|no one knows where",
]
DOCUMENTS = [
    "ملف*|بطاق*|شهاد*|سجل*|تطعيم*|لقاح*|موعد*|جواز|هويه|اوراق|ورق*|نتيج*|تحليل*",
    "file|card|record*|certificate|vaccin*|appointment|document*|passport|results|report",
    "مبلغ|المبلغ|فلوس*|ريال|refund|money|payment|الدفع|الرسوم|معامل*|طلب*|شكوي*|بلاغ*|اتصال|الاتصال|الرد|reply|response|call back|email|sms|رساله|الرساله",
    "missing school|missing class|missing classes|missing work|missing exams|missing the|missing out|missing her|missing his|missing my|missed",
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
    # thanks for the very thing complained about
    _combine(
        "على|لكم على|عن",
        "التعقيد|التاخير|التاخر|الانتظار|الروتين|البيروقراطيه|البطء|المماطله|الفوضى|الزحمه|اللخبطه|التعب|البهذله|المرمطه",
    ),
    "for the delay|for the wait|for wasting|for making me|for ignoring|for cancelling|for canceling|for the runaround|another * hour*|another * day*|another * week*",
    "قفلتو*|سكرتو*|الغيتو*|رفضتو*|ضيعتو*|طنشتو*|تجاهلتو*|اهملتو*|خليتونا|خليتوني|نسيتو*|ما فتحتو*|تاخرتو*|ما رديتو*|ما سويتو*",
]
RESOLVED = [
    "انحل*|انحلت|تم حل*|تم الحل|حليتو*|حلوها|حلوا المشكله|تم التواصل|تم اصلاح*|تم تعديل*|تم تحديث*|قدمو*|تم تقديم",
    "تواصلتو* معي|اتصلتو* علي|اتصلو* علي|رديتو* علي|وصلني الرد|solved|resolved|fixed|fixing|sorted|works now|working now",
    "خلصت|خلص* معاملت*|خلصو* معاملت*|انجز*|تم انجاز|تمت|تم قبول*|انقبل*|اكتملت|استلمت|got it done|all done|finally got|approved",
    # the patient is well again
    "طلع من العنايه|طلعت من العنايه|طلع من المستشفى|طلعت من المستشفى|خرج من المستشفى|تعافى|تعافت|الحين بخير|صار بخير|صارت بخير",
    "recovered|discharged|doing well now|is fine now|hes fine|shes fine",
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
    _durations(
        "واقفه|واقفات|قاعده|قاعدين|خلوها|خلوه|خلونا|خلوني|ننطر|انطر|نطرت|نطرنا|اراجع|نراجع|ادور|ندور"
    ),
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
    # systems down, in the words of each dialect ("السيستم واقع", "نظامكم مات")
    *SYSTEM_DOWN[:2],
    # fees and money taken
    "خصمو*|انخصم*|خصم مني|خصم من حسابي|خصمت*|مرتين|ولا احد رجع*|ما رجعو*|double charged|charged twice|deducted",
    "الرسوم الجديده|رسوم جديده|زياده الرسوم|زياده في الرسوم|رفع الرسوم|fee increase|fees increase|new fee|new fees|extra fee*|hidden fee*",
    "قلبي وقف|وقف قلبي|انصدمت|انصدمنا|صدمتونا|صدمتوني|my heart stopped|shocked|shocking|😱",
    # nobody acts, nobody understands, nothing arrives
    "ولا احد|ولا حد|ولا واحد|محد تحرك|ما احد تحرك|ما تحرك احد|ولا احد فاضي|محد فاضي|ما احد فاضي|بلغت عن|بلغنا عن|رفعت بلاغ*|رفعنا بلاغ*",
    "ما يفهم*|ما تفهم*|مايفهم*|لا يفهم|ما يفيد|ما ينفع|ماينفع|ولا يفيد|doesnt understand|dont understand|talk to a human|real person|useless bot",
    "ما توصل|ما يوصل|ما توصلني|ما يوصلني|ماتوصل|مايوصل|ما يجيني|ما تجيني|لا يصل|لا تصل|لم يصل|لم تصل|not receiving|never receive*|dont get the|didnt get the",
    # conduct of staff
    "يدخن|يدخنون|تدخن|ينام|نايم|نايمين|يلعب* بالجوال|على الجوال|بجواله|بجوالها|غير لائق|sleeping on|on their phone*|on his phone|on her phone|chatting",
    # tired of it, sent back and forth
    "طفش*|زهق*|تعبتو*|قهرتو*|قرفتو*|جننتو*|فشلتو*|طفشتو*|قالو* روح|قالو* راجع|يقولون روح|يحولني|يحولونا|يرمون|يرميني|نلف|ندور|sent me back|runaround|the branch says|says call",
    # dirt, smell, danger, darkness
    "ملوث*|تلوث*|ريحته|ريحتها|ريحه كريهه|رائحه كريهه|ريحه غريبه|ريحته غريبه|مو نظيف*|غير نظيف*|غير صالح*|ما تنشرب|smell*|stink*|contaminat*",
    "طافي*|طفيان*|مظلم*|ظلام|خطر على|خطر|خطير|يشكل خطر|dangerous|unsafe|hazard*|not safe|is empty|ran out|run out|refill|restock",
    "وين الخصوصيه|الخصوصيه|خصوصيتي|بياناتي ظهرت|تسريب بيانات|تسربت بيانات*|privacy|data leak|leaked my",
    "وين الضمير|وين الانسانيه|وين الرحمه|وين الاحترام|وين النظام|وين العدل|ايش دا|ايش ده|ايش هذا|شنو هذا|شنو هال*|ايش هادا|وش هذا",
    "بدون كرسي|بدون كراسي|ما فيه كراسي|مافي كراسي|متكدس*|تكدس*|مزدحم*|ازدحام",
    "روتين|الروتين|بيروقراطي*|تعقيد|التعقيد|معقد*|paperwork|bureaucra*|red tape|too many|signatures|my foot|earliest slot is|earliest appointment is",
    "خنقتو*|خنقتون*|الاشتراطات|كل شوي ورق*|الفواتير نار|الاسعار نار|الرسوم نار|الايجارات نار",
    "دوا* غير|علاج غير|غير اللي كتب*|مو اللي كتب*|صرف* لي غلط|صرفو* غلط|صرفت* غلط",
    "ما بص|ما طالع في|ما عبرني|ما عبرنا|ما اهتم*|ولا اهتم*|ولا حتى|حتى ما|مشاني|مشوني|صرفني|صرفونا|محد يعرف|ما احد يعرف|ماحد يعرف|محد داري|ضايع* بين",
    "سوء*|نطالب|نامل من الوزاره|نرجو النظر|النظر في|نرجو محاسب*|نرجو التحقيق",
    "even though|although i|keeps showing|keeps saying|keeps asking|still shows|not updated|not showing|doesnt show|isnt showing",
    "shouting|yelling|screaming at us|screaming at me|not understanding|embarrass*|laughing stock|fiasco",
    "died on me|crashed on me|froze on me|logged me out|kicked me out",
    "7ram|7aram|ba3d * shhoor|ba3d * shohoor|ba3d * shuhoor",
    # anger, mockery and arabizi
    "😤|😡|🤬|😠|👎|🤡|clown*|idiots|amateur*|circus",
    "ma7ad|ma 7ad|mahad|kharban|5arban|khrban|zift|zeft|t2akhor|ta2kheer|ta2khir|mo zain|mu zain|ma yshta3'el|ma yshtaghel",
    "قفلتو*|سكرتو*|الغيتو*|رفضتو*|ضيعتو*|طنشتو*|تجاهلتو*|اهملتو*|خليتونا|خليتوني|ما فتحتو*|تاخرتو*|ما سويتو*|ما حليتو*|ما صرفتو*",
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
    "dm sent|check dm|check your dm|check dms|sent you a dm|sent a dm|check inbox|please check|please reply|reply please",
    "راسلتكم|ارسلت لكم|ارسلتلكم|بالخاص|على الخاص|في الخاص|الخاص|تواصلوا معي|تواصلو معي|كلموني|راسلوني|ردوا علي|ردو علي",
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
    "الله يجزي*|يجزيهم|يجزاهم|اروع|ولا اروع|روعه|خيال|كويس*|طيبين|خدوم*|متعاون*|تعاون*|بشوش*|ساعدني|ساعدوني|ساعدنا",
    "helped me|helped us|so helpful|very good|good service|perfect|legend*",
    # not the hearts and thumbs of greetings and national days
    "👏|👌|🔥|💯",
    "tislam*|teslam*|shukran|shokran|mashkoor*|mashkor*|momtaz*|mumtaz*|ya3tee*|ya3ti*|ya3teek*|allah ya3tik*",
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
        "not_a_case": False,
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
        exclude=NEGATION
        + HYPERBOLE
        + CONDOLENCE
        + PAST
        + RESCUE_PRAISE
        + COURSE
        + TRIVIAL_RESCUE
        + SCHEDULED,
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
        + PRAISE_WORDS
        + CHRONIC
        + SCHEDULED
        + MILD
        + HANDLED,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Emergency: someone unwell here",
        order=22,
        match_mode="all",
        keywords=[_one_of(WEAK_DISTRESS), _one_of(PERSON_PRESENT)],
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
        + NOT_A_BODY
        + CHRONIC
        + SCHEDULED
        + MILD
        + HANDLED,
        **_EMERGENCY_ACTIONS,
    ),
    _rule(
        name="Emergency: happening now after an earlier start",
        order=25,
        match_mode="all",
        keywords=[_one_of(LIFE_AT_RISK, INCIDENT, DISTRESS), _one_of(NOW_STRONG)],
        exclude=NEGATION
        + HYPERBOLE
        + CONDOLENCE
        + LONG_PAST
        + CHRONIC
        + SCHEDULED
        + TRIVIAL_RESCUE
        + RESCUE_PRAISE
        + COURSE
        + METAPHOR
        + STATS
        + ADMIN
        + HYPOTHETICAL
        + NEWS_SOURCE
        + THANKS
        + PRAISE_WORDS
        + COMPLAINT_INTENT,
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
        + PRAISE_WORDS
        + CHRONIC
        + SCHEDULED
        + MILD
        + HANDLED,
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
        exclude=COMPLAINT + QUESTION + ASKS_FOR,
        queue="general",
        category="other",
        tags=["condolence"],
        stop=True,
    ),
    _rule(
        name="Announcements",
        order=78,
        keywords=ANNOUNCEMENT,
        exclude=COMPLAINT + ASKS_ANYTHING,
        queue="general",
        category="other",
        tags=["news"],
        stop=True,
    ),
    _rule(
        name="Chatter",
        order=79,
        keywords=CHATTER,
        exclude=COMPLAINT,
        queue="general",
        category="other",
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
        exclude=NO_WAIT + COMPLAINT_STATUS,
        queue="complaints",
        category="complaint",
        stop=True,
    ),
    _rule(
        name="Opening thanks",
        order=105,
        match_mode="all",
        keywords=[_one_of(OPENING_THANKS), _one_of(PRAISE)],
        exclude=ASKS_ANYTHING + UNRESOLVED + STILL_BAD,
        queue="general",
        category="praise",
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
