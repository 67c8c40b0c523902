"""Surveys: XLSForm definitions (parsed by pyxform), answer validation and table file IO."""
