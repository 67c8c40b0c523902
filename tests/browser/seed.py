"""Load the demo (places, organisations, services), the demo users and a few hundred demo cases
into ``SAFEPATH_DATA_DIR`` — what ``safepath demo`` shows, at a size the browser tests load fast.
Run as a script before the server starts; every step is idempotent."""

from __future__ import annotations

import sys

from safepath.demo import load_demo
from safepath.store import migrate
from safepath.store.db import session_scope


def main(n_cases: int) -> None:
    migrate.upgrade()
    load_demo()
    from safepath.privacy.demo import ensure_demo_users

    with session_scope() as session:
        ensure_demo_users(session)
    from safepath.demo.cases import load_demo_cases

    with session_scope() as session:
        load_demo_cases(session, n=n_cases)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
