"""Cursor paging's query parameters, ``page[size]`` and ``page[cursor]``, as one dependency.

Every list of the platform pages the same way (seed 001: JSON:API-style ``page[...]``): a
size between 1 and the list's maximum, and the opaque cursor a previous page's ``links.next``
carries. A route takes them as one value::

    page: Annotated[PageRequest, Depends(page_query("Games", rules.default_page_size,
                                                    rules.max_page_size))]

A size out of range, or a cursor empty or longer than :data:`CURSOR_LIMIT`, is the kit's 400
``VALIDATION_ERROR`` naming the parameter; what a cursor means is the list's own business
(400 ``INVALID_PAGE_CURSOR`` where it decodes it).

(No ``from __future__ import annotations`` here: FastAPI reads the dependency's annotations,
which name the closure's bounds, at run time.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from parovoz_kit.http.fields import QueryInt64, Text

#: The longest cursor a client may send back (every list's cursors are far shorter).
CURSOR_LIMIT = 200

PageCursor = Annotated[str, Text(CURSOR_LIMIT, min_length=1)]


@dataclass(frozen=True)
class PageRequest:
    """The page a client asks for: at most ``size`` items, after ``cursor`` (None: the first)."""

    size: int
    cursor: str | None = None


def page_query(items: str, default_size: int, max_size: int) -> Callable[..., PageRequest]:
    """The dependency reading ``page[size]`` (1 to ``max_size``, default ``default_size``) and
    ``page[cursor]``; ``items`` names what a page holds in the parameter's description."""

    def page(
        size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=max_size,
                description=f"{items} a page: 1 to {max_size}.",
            ),
        ] = default_size,
        cursor: Annotated[
            PageCursor | None,
            Query(alias="page[cursor]", description="`links.next` of the previous page has it."),
        ] = None,
    ) -> PageRequest:
        return PageRequest(size, cursor)

    return page
