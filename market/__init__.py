"""The market engine: money and currencies, payment providers, pricing insight and the synthetic
buyers that let it be evaluated. Pure functions and plain data; no Flask."""
