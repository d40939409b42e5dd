"""chitieu's loaders: the only code that writes observations. Run as ``python -m etl``."""
