"""The transforms' parameters as pydantic models: they explain parameters the light reader refuses.

``transforms.read_params`` takes parameters that are valid as written without importing
pydantic (about 0.1 s of start-up). Any other parameters are validated here: an invalid one
gets pydantic's message (the spec's error names the transform and the fix), and one pydantic
coerces (``{truncate: "40"}``) is rebuilt from its normalized dump.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from target_akountify.mapping.transforms import TransformSpecError

if TYPE_CHECKING:
    from target_akountify.mapping.transforms import Params


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(_Params):
    """Transforms without parameters."""


class CaseParams(_Params):
    """Parameters of ``case``: ``to`` is ``upper``, ``lower`` or ``title``."""

    to: Literal["upper", "lower", "title"]


class TruncateParams(_Params):
    """Parameters of ``truncate``: the maximum ``length`` in characters."""

    length: int = Field(gt=0)


class LineParams(_Params):
    """Parameters of ``line``: ``number`` 1 is the first line, 2 the rest joined by ``, ``."""

    number: Literal[1, 2] = 1


class DateParams(_Params):
    """Parameters of ``date``: the ``timezone`` a datetime is read in before its date is taken."""

    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value


class DecimalParams(_Params):
    """Parameters of ``decimal``: ``places`` kept and the ``rounding`` rule."""

    places: int = Field(ge=0, le=10)
    rounding: Literal["half_up", "half_even"] = "half_up"


class SplitParams(_Params):
    """Parameters of ``split``: the ``separator`` of a multi-select value."""

    separator: str = ";"


class JoinParams(_Params):
    """Parameters of ``join``: the ``separator`` placed between list items."""

    separator: str = ", "


#: The pydantic model of each parameter class, by the class's name.
MODELS: dict[str, type[_Params]] = {
    "NoParams": NoParams,
    "CaseParams": CaseParams,
    "TruncateParams": TruncateParams,
    "LineParams": LineParams,
    "DateParams": DateParams,
    "DecimalParams": DecimalParams,
    "SplitParams": SplitParams,
    "JoinParams": JoinParams,
}


def explain_params(name: str, kind: type[Params], given: dict[str, Any]) -> Params:
    """Validate parameters with pydantic: return them normalized or explain what is wrong.

    Args:
        name: The transform's name.
        kind: Its parameter class.
        given: The parameters as written in the spec.

    Raises:
        TransformSpecError: The parameters are invalid (pydantic's message, per parameter).
    """
    try:
        model = MODELS[kind.__name__].model_validate(given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or name}: {err['msg']}" for err in exc.errors()
        )
        raise TransformSpecError(f"transform {name!r}: {problems}") from exc
    return kind(**model.model_dump())
