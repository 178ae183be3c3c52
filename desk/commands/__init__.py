"""The `desk` command's subcommands, one module per group; `desk.cli` puts them together."""
