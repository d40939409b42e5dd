# `python -m etl` entry point: importing it would run the CLI.
collect_ignore = ["etl/__main__.py"]
