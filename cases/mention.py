"""The one shape in which a social-media post reaches the helpdesk.

`social_ingest.parsers` builds it from platform payloads; `cases.services.intake`
takes it. Ids stay strings: X ids overflow JavaScript numbers and floats.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Author:
    external_id: str
    handle: str = ""
    name: str = ""
    followers: int | None = None
    verified: bool = False


@dataclass(frozen=True)
class Mention:
    platform: str
    external_id: str
    text: str
    created_at: datetime | None = None
    author: Author | None = None
    conversation_id: str = ""
    in_reply_to_id: str = ""  # the post this one answers (X `replied_to`)
    in_reply_to_user_id: str = ""
    quoted_id: str = ""
    is_retweet: bool = False
    # X edits get a new id; the first id of the edit history names the original post.
    edit_root_id: str = ""
    lang: str = ""  # the platform's language tag, as given
    hashtags: tuple[str, ...] = ()
    mentioned_user_ids: tuple[str, ...] = ()
    withheld: bool = False
    # Partial errors of the platform about this post (e.g. a referenced post deleted).
    problems: tuple[str, ...] = field(default=())

    @property
    def is_edit(self) -> bool:
        return bool(self.edit_root_id) and self.edit_root_id != self.external_id
