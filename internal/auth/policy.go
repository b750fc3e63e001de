package auth

import (
	"slices"

	"github.com/cosp-ict/irm/internal/apperr"
)

// One function per action. Each returns nil when p may act, else a
// FORBIDDEN error that says why. Callers check before they change anything.

func forbidden(action apperr.Phrase, p Principal) error {
	return apperr.ForbiddenT("a {role} token may not {action}", "role", p.Role, "action", action)
}

func secretariatOnly(p Principal, action apperr.Phrase) error {
	if p.Role == Secretariat {
		return nil
	}
	return forbidden(action, p)
}

// forState allows the secretariat, and a focal point for its own State.
func forState(p Principal, state string, action apperr.Phrase) error {
	switch {
	case p.Role == Secretariat:
		return nil
	case p.Role == FocalPoint && p.State == state:
		return nil
	case p.Role == FocalPoint:
		return apperr.ForbiddenT("a focal point of {state} may not {action} for {state2}", "state", p.State, "action", action, "state2", state)
	}
	return forbidden(action, p)
}

// CanSetStateParty: the secretariat records who is a State Party.
func CanSetStateParty(p Principal) error {
	return secretariatOnly(p, apperr.Phrase("set a State's party status"))
}

// CanOpenCycle: the secretariat opens review cycles.
func CanOpenCycle(p Principal) error { return secretariatOnly(p, apperr.Phrase("open a cycle")) }

// CanReviewTranslation: the secretariat marks a questionnaire's
// translation reviewed.
func CanReviewTranslation(p Principal) error {
	return secretariatOnly(p, apperr.Phrase("review a questionnaire's translation"))
}

// CanTranslate: the secretariat downloads a questionnaire's translation
// kit and uploads its translation.
func CanTranslate(p Principal) error {
	return secretariatOnly(p, apperr.Phrase("translate a questionnaire"))
}

// CanReview: the secretariat returns and accepts submissions.
func CanReview(p Principal) error { return secretariatOnly(p, apperr.Phrase("review submissions")) }

// CanReadSubmission: the State's focal point and the secretariat; never a
// working-group member, who reads aggregates only.
func CanReadSubmission(p Principal, state string) error {
	return forState(p, state, apperr.Phrase("read the submission"))
}

// CanListSubmissions: the secretariat lists all; a focal point lists its own.
func CanListSubmissions(p Principal) error {
	if p.Role == WorkingGroup {
		return forbidden(apperr.Phrase("read individual submissions"), p)
	}
	return nil
}

// CanEditSubmission: save, submit and comment.
func CanEditSubmission(p Principal, state string) error {
	return forState(p, state, apperr.Phrase("change the submission"))
}

// CanReportStatistics: a focal point for its own State; the secretariat
// for any.
func CanReportStatistics(p Principal, state string) error {
	return forState(p, state, apperr.Phrase("report statistics"))
}

// SeesConfidential: a State's confidential values are shown to that
// State's focal point and the secretariat only.
func SeesConfidential(p Principal, state string) bool {
	return p.Role == Secretariat || (p.Role == FocalPoint && p.State == state)
}

// CanReadAggregates: completeness and question aggregates across States,
// for working-group members and the secretariat; never a focal point.
func CanReadAggregates(p Principal) error {
	if p.Role == WorkingGroup || p.Role == Secretariat {
		return nil
	}
	return forbidden(apperr.Phrase("read aggregates across States"), p)
}

// CanReadSummary: a working group's summary, for its members and the
// secretariat.
func CanReadSummary(p Principal, workingGroup string) error {
	switch {
	case p.Role == Secretariat:
		return nil
	case p.Role == WorkingGroup && slices.Contains(p.WorkingGroups, workingGroup):
		return nil
	case p.Role == WorkingGroup:
		return apperr.ForbiddenT("this member does not belong to working group \"{workingGroup}\"", "workingGroup", workingGroup)
	}
	return forbidden(apperr.Phrase("read working-group summaries"), p)
}

// CanManageReports: the secretariat renders, schedules (pauses, resumes,
// deletes) and publishes reports.
func CanManageReports(p Principal) error {
	return secretariatOnly(p, apperr.Phrase("render, schedule or publish reports"))
}

// CanReadReportSchedules: the secretariat, who manages them.
func CanReadReportSchedules(p Principal) error {
	return secretariatOnly(p, apperr.Phrase("read report schedules"))
}

// CanReadReportRun: the secretariat reads every run; anyone a published
// one; a focal point also its own State's country profiles. kind is the
// run's report kind, state the State of a COUNTRY_PROFILE.
func CanReadReportRun(p Principal, kind, state string, published bool) error {
	switch {
	case p.Role == Secretariat, published:
		return nil
	case p.Role == FocalPoint && kind == "COUNTRY_PROFILE" && state == p.State:
		return nil
	}
	return forbidden(apperr.Phrase("read an unpublished report"), p)
}

// CanGrantExtension: the secretariat grants a State a later deadline.
func CanGrantExtension(p Principal) error { return secretariatOnly(p, "grant an extension") }

// CanReadCalendar: extensions and consents of a cycle; the secretariat
// reads every State's, a focal point its own State's.
func CanReadCalendar(p Principal) error {
	if p.Role == WorkingGroup {
		return forbidden("read extensions or consents", p)
	}
	return nil
}

// CanSetConsent: a focal point for its own State; the secretariat may
// record a State's consent.
func CanSetConsent(p Principal, state string) error {
	return forState(p, state, "record consent to publish")
}

// CanResolveComment: the secretariat, or the State's focal point.
func CanResolveComment(p Principal, state string) error {
	return forState(p, state, "resolve or reopen a comment thread")
}
