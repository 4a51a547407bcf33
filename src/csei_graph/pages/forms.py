"""The pages of contributing and reviewing on `csei serve`: the form made from the shapes, its
preview, what became of a contribution, signing in, and the review queue.

Templates `contribute.html`, `preview.html`, `outcome.html`, `login.html`, `review-list.html` and
`review.html`. Every value shown is escaped by the templates; nothing here reads the store.
"""

from dataclasses import dataclass, field
from typing import ClassVar

from markupsafe import Markup

from csei_graph.contributions import Entry, Review
from csei_graph.contributions.form import FormSpec


@dataclass(frozen=True)
class Finding:
    """One result of a report, as a page lists it."""

    severity: str
    message: str
    about: str = ""


@dataclass(frozen=True)
class ContributeView:
    """The contribution form, its fields made from the shapes."""

    template: ClassVar[str] = "contribute.html"

    path: str
    title: str
    spec: FormSpec
    token: str
    maintainer: str | None = None
    organisation_type: str = "http://www.w3.org/ns/org#Organization"


@dataclass(frozen=True)
class PreviewView:
    """A contribution as it would be: its statements, and the cluster's page with them."""

    template: ClassVar[str] = "preview.html"

    path: str
    title: str
    turtle: str
    page: Markup
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class OutcomeView:
    """What became of a contribution sent: filed (with its id), already there, or refused (and why)."""

    template: ClassVar[str] = "outcome.html"

    path: str
    title: str
    message: str
    identifier: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class LoginView:
    """The maintainers' sign-in form."""

    template: ClassVar[str] = "login.html"

    path: str
    title: str
    token: str
    next: str
    message: str = ""
    name: str = ""


@dataclass(frozen=True)
class ReviewListView:
    """The review queue: what waits, and what was decided."""

    template: ClassVar[str] = "review-list.html"

    path: str
    title: str
    token: str
    maintainer: str
    pending: tuple[Entry, ...]
    decided: tuple[Entry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReviewView:
    """One contribution as a maintainer reviews it: what it adds or changes, its report, the decision."""

    template: ClassVar[str] = "review.html"

    path: str
    title: str
    token: str
    maintainer: str
    review: Review
    findings: tuple[Finding, ...]
    rejection: str = ""
    message: str = ""
