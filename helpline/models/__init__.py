"""Models, one module per entity. Importing this package registers them all."""

from helpline.models.audit import AuditEvent
from helpline.models.call import Call, CallerType, CallState, Outcome
from helpline.models.call_staff import CallParticipant, Part
from helpline.models.caller_block import BlockReason, CallerBlock
from helpline.models.centre import Centre, CentreLine
from helpline.models.contact import ContactRecord, Topic
from helpline.models.escalation import Escalation, Notification
from helpline.models.presence import AgentPresence, AgentState, Offer, OfferState
from helpline.models.published import PublishedFigures
from helpline.models.purge import ProviderPurgeRun
from helpline.models.record_draft import RecordDraft
from helpline.models.request import FollowUp, Request
from helpline.models.rota import Absence, Shift, StaffingMinimum, SwapRequest
from helpline.models.sign_in import RecoveryCode, SignInFailure
from helpline.models.staff_session import StaffSession
from helpline.models.user import Role, User

__all__ = [
    "AuditEvent", "BlockReason", "CallParticipant", "Part",
    "CallerBlock", "RecoveryCode", "SignInFailure", "StaffSession",
    "FollowUp", "Request",
    "ProviderPurgeRun", "PublishedFigures", "RecordDraft",
    "Absence", "Shift", "StaffingMinimum", "SwapRequest",
    "AgentPresence", "AgentState", "Call", "CallState", "CallerType", "Centre", "CentreLine", "Outcome",
    "ContactRecord", "Escalation", "Notification", "Offer", "OfferState", "Role", "Topic", "User",
]
