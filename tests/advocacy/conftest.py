"""The advocacy tests share the complaint tests' people (one user per role) and places."""

from tests.feedback.conftest import _fast_hashing, client, people

__all__ = ["_fast_hashing", "client", "people"]
