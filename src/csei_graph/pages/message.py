"""Message pages: something went wrong (not found, not acceptable), and where to go instead.

Template `message.html`.
"""

from dataclasses import dataclass, field
from typing import ClassVar

from csei_graph.pages import paths
from csei_graph.pages.model import Link


@dataclass(frozen=True)
class MessageView:
    """A page that says something went wrong (not found, not acceptable) and where to go instead."""

    template: ClassVar[str] = "message.html"

    path: str
    title: str
    message: str
    links: tuple[Link, ...] = field(default_factory=tuple)
    status: int = 404


def message_view(
    title: str,
    message: str,
    *,
    path: str = paths.NOT_FOUND_PAGE,
    status: int = 404,
    links: tuple[Link, ...] = (),
) -> MessageView:
    """A page explaining an error; the home and search pages are always offered."""
    offered = (*links, Link("", "Home", paths.HOME_PAGE), Link("", "Search", paths.SEARCH_PAGE))
    return MessageView(path=path, title=title, message=message, links=offered, status=status)
