"""One module per ``patternsim`` subcommand: each has ``register(subparsers)`` and ``main(args)``."""
