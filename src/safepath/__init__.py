"""Safepath: protection case management and protection analysis on IOM's Approach to Protection."""

__version__ = "0.1.0"
