"""yuqing: offline-first public-opinion monitoring (observe and report only)."""

__version__ = "0.1.0"
