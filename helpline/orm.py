"""Declarative base, naming convention, the aware-UTC datetime column type and the column
declarations the models share (a surrogate key, a reference to a person, a centre or a call)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores UTC, refuses naive datetimes, always returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    #: The naming convention, and every ``Mapped[datetime]`` is an instant stored in UTC.
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})
    #: Attributes ``repr`` shows after the key (a state, a role).
    repr_attributes: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        mapper = self.__mapper__
        key = [getattr(self, mapper.get_property_by_column(column).key) for column in mapper.primary_key]
        shown = [*map(str, key), *(f"{name}={getattr(self, name)}" for name in self.repr_attributes)]
        return f"<{type(self).__name__} {' '.join(shown)}>"


#: A surrogate key (an integer the database assigns).
SurrogateKey = Annotated[int, mapped_column(primary_key=True)]
#: A member of staff.
UserRef = Annotated[int, mapped_column(ForeignKey("users.id"))]
#: A centre.
CentreRef = Annotated[int, mapped_column(ForeignKey("centres.id"))]
#: A call of the register.
CallRef = Annotated[str, mapped_column(ForeignKey("calls.id"))]


def codes(listed: str | None) -> list[str]:
    """The codes of a comma-separated column, in order: ``"kk,ru"`` gives ``["kk", "ru"]``."""
    return [code for code in (listed or "").split(",") if code]


def code_list(column: str) -> property:
    """A read-only list of the codes in ``column`` (e.g. ``language_list`` of ``languages``)."""
    return property(lambda row: codes(getattr(row, column)), doc=f"The codes in ``{column}``.")


def one_of(column: str, values: Iterable[str], nullable: bool = False) -> CheckConstraint:
    """The CHECK ``<column>_known``: ``column`` holds one of ``values`` (codes or a StrEnum), or
    NULL when ``nullable``."""
    listed = f"{column} IN ({', '.join(repr(str(value)) for value in values)})"
    return CheckConstraint(f"{column} IS NULL OR {listed}" if nullable else listed, name=f"{column}_known")
