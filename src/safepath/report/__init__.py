"""The protection analysis report (GPC Protection Analytical Framework) of a survey round: its
figures (``paf.build``), what it reads (``sources``), its maps and charts (``svg``) and its HTML,
PDF and HXL CSV (``render``)."""
