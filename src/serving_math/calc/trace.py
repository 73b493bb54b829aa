"""A record of the formulas and assumptions behind one answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


class Formula(BaseModel):
    """One step of the arithmetic: what it computes, the formula, the numbers put in, the result."""

    name: str
    formula: str
    substituted: str
    value: float
    unit: str


class Assumption(BaseModel):
    """A value the answer depends on that the caller did not give (or gave), and why it is what it is."""

    name: str
    value: str
    basis: str


@dataclass
class Trace:
    formulas: list[Formula] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def step(self, name: str, formula: str, substituted: str, value: float, unit: str) -> float:
        if not any(f.name == name for f in self.formulas):
            self.formulas.append(Formula(name=name, formula=formula, substituted=substituted, value=value, unit=unit))
        return value

    def assume(self, name: str, value: object, basis: str) -> None:
        if not any(a.name == name for a in self.assumptions):
            self.assumptions.append(Assumption(name=name, value=str(value), basis=basis))

    def cite(self, what: str, source: str) -> None:
        self.sources.setdefault(what, source)


def g(x: float) -> str:
    """A number as people write it in a formula: 3 significant figures, engineering-friendly."""
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.3g}"
    if float(x).is_integer():
        return f"{int(x)}"
    return f"{x:.4g}"
