"""Text analysis stages (segmentation now; places, category, sentiment and risk build on it)."""
