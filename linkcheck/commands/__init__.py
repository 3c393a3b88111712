"""The commands (check, report, archive, fix): thin functions over pipeline.py, each
returning a typed result for cli.py, or a Python caller, to render. Nothing here prints."""
