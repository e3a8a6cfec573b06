package healthcode

import (
	"context"
	"time"
)

// IdentityChecker answers the real-name check (实名认证) that every
// application passes before anything about the person is stored: do a
// name, an identity document and a phone belong together? In China every
// mobile number is registered to an identity document, so a carrier's
// three-element match (name + document number + phone) is the standard
// check. With Phone empty it is the check for a child or an elderly
// person registered on a relative's phone: name and document belong
// together and no mobile number is registered to the document (someone
// with a phone of their own consents through it instead), and, where the
// checker knows households, Guardian's holder is their guardian.
//
// CheckIdentity returns nil when the elements belong together, an
// EINVALID *Error naming the field "identity" when they do not (never
// which element is wrong), and an EUNAVAILABLE *Error when the check
// cannot be made now: an application is never let through unchecked.
type IdentityChecker interface {
	CheckIdentity(ctx context.Context, c IdentityClaim) error
}

// IdentityClaim is what the real-name check is asked, in canonical form.
type IdentityClaim struct {
	Identity
	// Guardian is, with Phone empty, the phone of the login registering
	// the person on it.
	Guardian string
}

// ErrIdentityMismatch is the one answer to identity elements that do not
// belong together. It names no element and says nothing of codes already
// stored, so it cannot be used to probe who holds an identity.
var ErrIdentityMismatch = &Error{Code: EINVALID,
	Message: "The real-name check failed: these details do not belong together, or cannot be registered from this account.",
	Fields: []FieldError{{Field: "identity",
		Reason: "name, document number and phone do not match the real-name register"}}}

// ErrIdentityUnavailable is the answer when the real-name check cannot be
// made now.
var ErrIdentityUnavailable = &Error{Code: EUNAVAILABLE, RetryAfter: time.Minute,
	Message: "The real-name check is unavailable right now; try again in a minute."}
