"""Stored-XSS payloads, each tagged with its own marker (`XSS01`...) so a page can be
checked for the payload's text (it is shown) and for its markup (it is inert), and an
HTML checker built on Python's html.parser (html5lib/BeautifulSoup are not installed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_RAW = [
    "<script>alert('{m}')</script>",
    "<img src=x onerror=alert('{m}')>",
    "<svg onload=alert('{m}')>",
    "<svg><script>alert('{m}')</script></svg>",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<a href=\"javascript:alert('{m}')\">{m}</a>",
    "javascript:alert('{m}')",
    "\"><script>alert('{m}')</script>",
    "'><img src=x onerror=alert('{m}')>",
    '" onmouseover="alert(\'{m}\')" x="',
    "' autofocus onfocus='alert(`{m}`)' x='",
    "</textarea><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
    "</style><script>alert('{m}')</script>",
    "<style>*{{background:url('javascript:alert(\"{m}\")')}}</style>",
    "{{{{7*7}}}} {m} {{% debug %}}",
    "${{7*7}} #{{7*7}} <%= 7*7 %> {m}",
    "<body onload=alert('{m}')>",
    "<details open ontoggle=alert('{m}')>",
    "<math><mtext></mtext><mglyph><svg><mtext><textarea><a title=\"</textarea><img src=x onerror=alert('{m}')>\">",
    "<object data=\"javascript:alert('{m}')\"></object>",
    "<base href=\"javascript:alert('{m}')//\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{m}\')">',
    "<form action=\"javascript:alert('{m}')\"><button>{m}</button></form>",
    "&lt;script&gt;alert('{m}')&lt;/script&gt;",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    # Arabic and bidi-wrapped
    "\u202e<script>alert('{m}')</script>\u202c",
    "طوارئ \u2067<img src=x onerror=alert('{m}')>\u2069 حريق",
    "السلام عليكم\u200f\"><svg onload=alert('{m}')>",
    "\u200b<a href=\"jav&#x09;ascript:alert('{m}')\">اضغط هنا</a>",
    "#وزارة_الصحة <script>alert('{m}')</script>",
]
PAYLOADS = [p.format(m=f"XSS{i:02d}") for i, p in enumerate(_RAW, start=1)]
MARKERS = [f"XSS{i:02d}" for i in range(1, len(PAYLOADS) + 1)]
# A marker as the payloads place it, not inside a longer run of letters and digits:
# a random CSRF token in an attribute once held "XSS" and failed a clean page.
MARKER = re.compile(r"(?<![A-Za-z0-9])XSS\d\d(?![0-9])")

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "meta",
    "style",
    "link",
    "form",
    "img",
    "body",
    "details",
    "a",
    "button",
}
TEXT_ATTRIBUTES = {"title", "value", "alt", "aria-label", "placeholder"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "content", "poster"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._raw_tag: str | None = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag in ("script", "style"):
            self._raw_tag = tag

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw_tag:
            self._raw_tag = None

    def _check(self, tag, attrs):
        # Escaped payload text may sit in the app's own text attributes (a title, a
        # form value); anywhere else in a dangerous element it came from a payload.
        values = " ".join(
            v or "" for n, v in attrs if n not in TEXT_ATTRIBUTES and not n.startswith("data-")
        )
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler attribute")
            if name in URL_ATTRIBUTES:
                squashed = "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()
                if squashed.startswith(("javascript:", "vbscript:", "data:text/html")) or (
                    "url=javascript:" in squashed
                ):
                    self.problems.append(f"<{tag} {name}={value!r}>: a script URL")
        if tag in DANGEROUS_TAGS and MARKER.search(values):
            self.problems.append(f"<{tag} {attrs!r}>: an element made from a payload")

    def handle_data(self, data):
        if self._raw_tag and MARKER.search(data):
            self.problems.append(f"<{self._raw_tag}> holding payload text: {data[:80]!r}")
        self.text.append(data)


def inspect(html: str) -> tuple[list[str], str]:
    """(problems, all text and attribute-free content as the reader sees it)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems, "".join(collector.text)


def assert_inert(html: str, *, shows: list[str] = (), where: str = "") -> None:
    """No element, event handler or script URL came from a payload; and every marker
    in `shows` is visible as text (so the payloads were really rendered here)."""
    problems, text = inspect(html)
    assert problems == [], f"{where}: {problems[:5]}"
    missing = [m for m in shows if m not in text]
    assert missing == [], f"{where}: payload text not shown (not rendered at all?): {missing}"
