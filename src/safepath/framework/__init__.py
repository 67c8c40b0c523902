"""The framework catalogue: every list of IOM's Approach to Protection, the GPC risks and the
scales Safepath uses, as packaged, validated data with stable codes and labels in en/fr/es/ar.

Other layers refer to catalogue codes only; ``catalogue()`` gives the shared, cached instance.
"""

from .catalogue import Catalogue, CatalogueError, catalogue, load_catalogue
from .models import EXTRA_ATTRIBUTES, LANGUAGES, CatalogueList, Entry, Translations

__all__ = [
    "EXTRA_ATTRIBUTES",
    "LANGUAGES",
    "Catalogue",
    "CatalogueError",
    "CatalogueList",
    "Entry",
    "Translations",
    "catalogue",
    "load_catalogue",
]
