"""Arabic formats for Sada, replacing Django's `ar` module.

Django's module groups thousands with "." and separates decimals with ",",
which reads as a decimal point to most Arabic readers of numbers written in
Western digits (as X, the ministry's own site and Sada show them). These are
the Arabic separators (U+066C ARABIC THOUSANDS SEPARATOR, U+066B ARABIC DECIMAL
SEPARATOR), which cannot be mistaken for one another.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "j F Y، g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d g:i A"
# The Saudi week starts on Sunday.
FIRST_DAY_OF_WEEK = 0

DECIMAL_SEPARATOR = "٫"
THOUSAND_SEPARATOR = "٬"
NUMBER_GROUPING = 3
