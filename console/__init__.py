"""Support Console: an offline-first desktop console for support agents and supervisors."""

__version__ = "0.1.0"
