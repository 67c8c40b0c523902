"""Places: the administrative hierarchy with P-codes, imported from HXL-tagged tables."""

from safepath.places.importer import ImportReport, import_places, read_place_table

__all__ = ["ImportReport", "import_places", "read_place_table"]
