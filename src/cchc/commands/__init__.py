"""One module per `cchc` subcommand; each exposes `register(subparsers)`.

Commands parse arguments and call functions of the package; they hold no pipeline logic.
"""
