"""`python -m fapiao.cli` is the `fapiao` command (tests and benchmarks start it this way)."""

from fapiao.cli.main import main

main()
