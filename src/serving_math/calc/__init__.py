"""The arithmetic: plain typed functions over catalogue entries, each recording its formulas and
assumptions in a `Trace` so every result can say how it was reached."""
