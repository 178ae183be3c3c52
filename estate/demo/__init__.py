"""The demo estate, seeded by `desk demo`: `seed.seed_demo` runs the steps, one module per thing seeded."""
