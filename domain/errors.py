"""Every rule violation the domain can report.

DomainError
├── NotFound                      an id that the tenant's log does not hold
├── InvalidValue                  a value outside what the rule accepts
│   ├── UnsupportedFileType       an evidence file of no allowed type (415), or
│   │   └── FileTypeMismatch      whose bytes are not of its declared type (415)
│   └── EvidenceFileTooLarge      an evidence file over the size limit (413)
├── EvidenceFileDamaged           stored evidence bytes that no longer match (500)
├── FiguresUnavailable            the records a report's figures come from are not yet
│                                 readable (projection behind or parked): answered 503
├── CjkFontUnavailable            no CJK font to embed in an official document: 503
└── RuleViolation                 a command refused by a business rule
    ├── TenantRuleViolation       tenants and charters
    ├── UnitRuleViolation         member units
    ├── MeetingRuleViolation      meetings, agenda, notice, attendance, decisions
    ├── ResolutionRuleViolation   resolutions and their execution
    ├── CommitmentRuleViolation   public commitments, progress, ratings
    ├── MemberRuleViolation       party members, transfers, claims, service logs
    ├── PostRuleViolation         service posts
    ├── EvaluationRuleViolation   rubrics, evaluations, appeals, rectification
    ├── WebhookRuleViolation      webhooks (InvalidWebhookUrl and UnknownEventType
    │                             are InvalidValues)
    ├── AgreementRuleViolation    co-construction agreements: lines, review, renewal
    ├── AffairRuleViolation       resident affairs: intake, assignment, result, feedback
    ├── CommendationRuleViolation commendations: nomination, decision, publication
    ├── PlenaryRuleViolation      the plenary's business: council roster, work
    │                             documents, the resolutions that adopt them
    └── UpwardReportRuleViolation reports upward: filing, receipt, the street's decision

Each concrete error has a stable ``code`` that the API publishes as the
problem-details ``type``; never rename a code.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every domain error."""

    code = "domain-error"
    # The problem's machine-readable members besides its human-readable detail (docs).
    members = ""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        # Machine-readable members of the problem, beside its human-readable detail.
        self.details = details


class NotFound(DomainError):
    """The record does not exist in this tenant."""

    code = "not-found"


class InvalidValue(DomainError):
    """A value is outside what a rule accepts."""

    code = "invalid-value"


class RuleViolation(DomainError):
    """A business rule refused the command."""

    code = "rule-violation"


class TenantRuleViolation(RuleViolation):
    code = "tenant-rule"


class TenantAlreadyRegistered(TenantRuleViolation):
    code = "tenant-already-registered"


class ParentMustBeStreet(TenantRuleViolation):
    code = "parent-must-be-street"


class UnitRuleViolation(RuleViolation):
    code = "unit-rule"


class UnitHasLeft(UnitRuleViolation):
    code = "unit-has-left"


class MeetingRuleViolation(RuleViolation):
    code = "meeting-rule"


class MeetingNotInState(MeetingRuleViolation):
    code = "meeting-not-in-state"


class AgendaClosed(MeetingRuleViolation):
    code = "agenda-closed"


class AgendaEmpty(MeetingRuleViolation):
    code = "agenda-empty"


class UnknownAgendaItem(MeetingRuleViolation):
    code = "unknown-agenda-item"


class AgendaItemNotOpen(MeetingRuleViolation):
    code = "agenda-item-not-open"


class NoticePeriodNotMet(MeetingRuleViolation):
    code = "notice-period-not-met"


class ReasonRequired(RuleViolation):
    code = "reason-required"


class NotNotified(MeetingRuleViolation):
    code = "unit-not-notified"


class AlreadySignedIn(MeetingRuleViolation):
    code = "already-signed-in"


class NotSignedIn(MeetingRuleViolation):
    code = "unit-not-signed-in"


class NotTheLiaison(MeetingRuleViolation):
    """A thematic meeting is attended by the units' liaisons unless a substitute is named."""

    code = "not-the-liaison"


class NoLeaveRequested(MeetingRuleViolation):
    """Only a unit that asked for leave has it decided."""

    code = "no-leave-requested"


class AlreadyOnLeave(MeetingRuleViolation):
    code = "already-on-leave"


class MeetingNotYetDue(MeetingRuleViolation):
    """A meeting is opened no earlier than the charter's margin before its time."""

    code = "meeting-not-yet-due"


class QuorumNotMet(MeetingRuleViolation):
    code = "quorum-not-met"


class OpinionsNotSolicited(MeetingRuleViolation):
    code = "opinions-not-solicited"


class MinutesAlreadyIssued(MeetingRuleViolation):
    code = "minutes-already-issued"


class MinutesAlreadyAcknowledged(MeetingRuleViolation):
    """A unit acknowledges receiving the minutes once."""

    code = "minutes-already-acknowledged"


class MinutesNotIssued(MeetingRuleViolation):
    code = "minutes-not-issued"


class CannotCarryAgreedItem(MeetingRuleViolation):
    code = "cannot-carry-agreed-item"


class ResolutionRuleViolation(RuleViolation):
    code = "resolution-rule"


class NotResponsible(ResolutionRuleViolation):
    code = "unit-not-responsible"


class ResolutionClosed(ResolutionRuleViolation):
    code = "resolution-closed"


class ExecutionIncomplete(ResolutionRuleViolation):
    code = "execution-incomplete"


class ResolutionNotNotified(ResolutionRuleViolation):
    """A unit reports on a resolution only once it was notified of it."""

    code = "resolution-not-notified"


class NothingToReturn(ResolutionRuleViolation):
    code = "nothing-to-return"


class SupersedingMustBeLater(ResolutionRuleViolation):
    code = "superseding-must-be-later"


class CommitmentRuleViolation(RuleViolation):
    code = "commitment-rule"


class CommitmentClosed(CommitmentRuleViolation):
    code = "commitment-closed"


class CommitmentNotPublished(CommitmentRuleViolation):
    code = "commitment-not-published"


class AlreadyPublished(CommitmentRuleViolation):
    code = "commitment-already-published"


class UnknownMilestone(CommitmentRuleViolation):
    code = "unknown-milestone"


class MemberRuleViolation(RuleViolation):
    code = "member-rule"


class MemberNotActive(MemberRuleViolation):
    code = "member-not-active"


class NotInService(MemberRuleViolation):
    code = "member-not-in-service"


class ClaimLimitReached(MemberRuleViolation):
    code = "claim-limit-reached"


class AlreadyClaimed(MemberRuleViolation):
    code = "post-already-claimed"


class NotHoldingPost(MemberRuleViolation):
    code = "post-not-held"


class UnknownServiceLog(MemberRuleViolation):
    code = "unknown-service-log"


class ServiceLogAlreadyReviewed(MemberRuleViolation):
    code = "service-log-already-reviewed"


class ServiceHoursExceedDay(MemberRuleViolation):
    """A service log would bring the member's hours on its day above 24."""

    code = "service-hours-exceed-day"


class TransferPending(MemberRuleViolation):
    code = "transfer-pending"


class NoTransferPending(MemberRuleViolation):
    code = "no-transfer-pending"


class PostRuleViolation(RuleViolation):
    code = "post-rule"


class PostFull(PostRuleViolation):
    code = "post-full"


class PostRetired(PostRuleViolation):
    code = "post-retired"


class EvaluationRuleViolation(RuleViolation):
    code = "evaluation-rule"


class RubricInconsistent(EvaluationRuleViolation):
    code = "rubric-inconsistent"


class RubricNotPublished(EvaluationRuleViolation):
    code = "rubric-not-published"


class EvaluationNotOpen(EvaluationRuleViolation):
    code = "evaluation-not-open"


class EvaluationNotFinal(EvaluationRuleViolation):
    code = "evaluation-not-final"


class ScoresMissing(EvaluationRuleViolation):
    code = "scores-missing"
    members = "`missing`: `[{item, source}]`, every unscored pair in the rubric's order"


class EvaluationExists(EvaluationRuleViolation):
    """The subject already has an evaluation for the period."""

    code = "evaluation-exists"


class UnknownRubricItem(EvaluationRuleViolation):
    code = "unknown-rubric-item"


class AppealPending(EvaluationRuleViolation):
    code = "appeal-pending"


class NoAppealPending(EvaluationRuleViolation):
    code = "no-appeal-pending"


class UnknownRectification(EvaluationRuleViolation):
    code = "unknown-rectification"


class RectificationClosed(EvaluationRuleViolation):
    code = "rectification-closed"


class RectificationNotOpen(EvaluationRuleViolation):
    """Only an open (or returned) rectification is reported done."""

    code = "rectification-not-open"


class RectificationNotReported(EvaluationRuleViolation):
    """The evaluator verifies or returns only a rectification its subject reported done."""

    code = "rectification-not-reported"


class NotReportedAtResidence(MemberRuleViolation):
    code = "not-reported-at-residence"


class ClaimsActive(MemberRuleViolation):
    code = "claims-still-active"


class WebhookRuleViolation(RuleViolation):
    code = "webhook-rule"


class WebhookRemoved(WebhookRuleViolation):
    code = "webhook-removed"


class InvalidWebhookUrl(InvalidValue):
    """A webhook URL that is not an absolute http(s) URL deliveries may be sent to."""

    code = "invalid-webhook-url"


class UnknownEventType(InvalidValue):
    """A webhook asked for an event type no record has."""

    code = "unknown-event-type"


class AgreementRuleViolation(RuleViolation):
    code = "agreement-rule"


class AgreementEnded(AgreementRuleViolation):
    """An ended co-construction agreement changes no more."""

    code = "agreement-ended"


class AgreementNotInState(AgreementRuleViolation):
    """Reviewed only once per term while it runs; renewed only once reviewed."""

    code = "agreement-not-in-state"


class AgreementPeriodNotOver(AgreementRuleViolation):
    """A term is reviewed at or after its end (the tenant's date)."""

    code = "agreement-period-not-over"


class UnknownAgreementLine(AgreementRuleViolation):
    code = "unknown-agreement-line"


class AffairRuleViolation(RuleViolation):
    code = "affair-rule"


class AffairClosed(AffairRuleViolation):
    """The resident was satisfied: the affair changes no more."""

    code = "affair-closed"


class AffairNotAssigned(AffairRuleViolation):
    """A result is reported only on an affair assigned, or reopened, and waiting for one."""

    code = "affair-not-assigned"


class ResultNotReported(AffairRuleViolation):
    """The resident gives feedback on a reported result."""

    code = "affair-result-not-reported"


class CommendationRuleViolation(RuleViolation):
    code = "commendation-rule"


class CommendationExists(CommendationRuleViolation):
    """The nominee already has a commendation of this kind for the period."""

    code = "commendation-exists"


class CommendationDecided(CommendationRuleViolation):
    """Only a nominated (undecided) commendation is decided."""

    code = "commendation-decided"


class CommendationNotApproved(CommendationRuleViolation):
    """Only an approved commendation is published."""

    code = "commendation-not-approved"


class CommendationPublished(CommendationRuleViolation):
    """The commendation is already published."""

    code = "commendation-published"


class CommendationRevoked(CommendationRuleViolation):
    """The commendation was revoked: nothing more happens to it."""

    code = "commendation-revoked"


class PlenaryRuleViolation(RuleViolation):
    code = "plenary-rule"


class NotPlenaryResolution(PlenaryRuleViolation):
    """The council, the work documents and charter amendments are adopted by a
    resolution of a plenary meeting (全体会议) of the same tenant, still in force."""

    code = "not-plenary-resolution"


class ResolutionAlreadyCited(PlenaryRuleViolation):
    """A plenary resolution adopts one roster or one document: cite the one that
    adopted this change."""

    code = "resolution-already-cited"


class ChairRequired(MeetingRuleViolation):
    """Opening a meeting records its chair: a present unit, by default the council's
    chair when its unit signed in."""

    code = "chair-required"


class UnsupportedFileType(InvalidValue):
    """An evidence file is not of a type evidence may have (JPEG, PNG, WebP, PDF)."""

    code = "unsupported-file-type"
    members = "`allowed`: the media types evidence files may have"


class FileTypeMismatch(UnsupportedFileType):
    """An evidence file's content is of another type than the one it was declared as."""

    code = "file-type-mismatch"
    members = "`declared`: the Content-Type sent; `detected`: the type the bytes show"


class EvidenceFileTooLarge(InvalidValue):
    """An evidence file is over the size limit (GONGJIAN_EVIDENCE_MAX_BYTES)."""

    code = "evidence-file-too-large"
    members = "`max_bytes`: the limit"


class EvidenceFileDamaged(DomainError):
    """A stored evidence file's bytes are missing or no longer match its SHA-256: it is
    not served (the operator is told in the server's log)."""

    code = "evidence-file-damaged"


class UpwardReportRuleViolation(RuleViolation):
    code = "upward-report-rule"


class NoStreetToReportTo(UpwardReportRuleViolation):
    """Only a community, under its street, files a report upward."""

    code = "no-street-to-report-to"


class UpwardReportFiled(UpwardReportRuleViolation):
    """A report on the period awaits the street's decision, or was acknowledged: it is
    filed again only once the street has returned it."""

    code = "upward-report-filed"


class UpwardReportDecided(UpwardReportRuleViolation):
    """The street has already acknowledged or returned the report's latest revision."""

    code = "upward-report-decided"


class FiguresUnavailable(DomainError):
    """The records a report's figures are composed from are not yet readable (their
    projection is behind or parked): nothing was filed; try again."""

    code = "figures-unavailable"


class CjkFontUnavailable(DomainError):
    """No CJK font is installed where the server looks for one, so it cannot lay out an
    official document (it never serves a PDF with missing glyphs): the operator installs
    Debian's fonts-noto-cjk or points GONGJIAN_CJK_FONT at a CJK font file."""

    code = "cjk-font-unavailable"
