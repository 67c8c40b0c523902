"""Packaged catalogue data: one <list>.yaml per list (a package so the files ship in wheels)."""
