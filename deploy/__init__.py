"""Running many ``nn-playground serve`` processes behind nginx (see the README)."""
