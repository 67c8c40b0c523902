"""The framework catalogue, read-only."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from safepath.framework import catalogue
from safepath.http.responses import RECORD

router = APIRouter(prefix="/framework", tags=["framework"])
Lang = Literal["en", "fr", "es", "ar"]


@router.get("")
def list_lists(lang: Lang = "en") -> list[dict[str, Any]]:
    cat = catalogue()
    return [
        {
            "name": n,
            "title": cat.get(n).title(lang),
            "count": len(cat.get(n).entries),
            "source": cat.get(n).source,
        }
        for n in cat.names()
    ]


@router.get("/{name}", responses=RECORD)
def get_list(name: str, lang: Lang = "en") -> list[dict[str, Any]]:
    return catalogue().get(name).rows(lang)
