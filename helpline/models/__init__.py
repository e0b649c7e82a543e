"""Models, one module per entity. Importing this package registers them all."""

from helpline.models.call import Call, CallerType, CallState, Outcome
from helpline.models.centre import Centre, CentreLine

__all__ = ["Call", "CallState", "CallerType", "Centre", "CentreLine", "Outcome"]
