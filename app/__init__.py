"""The doors of patternsim: the command line, the Textual UI, charts and reports."""
