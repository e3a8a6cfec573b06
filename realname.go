package healthcode

import "context"

// IdentityChecker answers the real-name check (实名认证) that every
// application passes before anything about the person is stored: do a
// name, an identity document and a phone belong together? In China every
// mobile number is registered to an identity document, so a carrier's
// three-element match (name + document number + phone) is the standard
// check. With Identity.Phone empty it is the two-element check (name +
// document) used for children and elderly people registered on a
// relative's phone.
//
// CheckIdentity returns nil when the elements belong together, an
// EINVALID *Error naming the field "identity" when they do not (never
// which element is wrong), and an EUNAVAILABLE *Error when the check
// cannot be made now: an application is never let through unchecked.
type IdentityChecker interface {
	CheckIdentity(ctx context.Context, id Identity) error
}

// ErrIdentityMismatch is the one answer to identity elements that do not
// belong together. It names no element and says nothing of codes already
// stored, so it cannot be used to probe who holds an identity.
var ErrIdentityMismatch = &Error{Code: EINVALID,
	Message: "The real-name check failed: these details do not belong together, or cannot be registered from this account.",
	Fields: []FieldError{{Field: "identity",
		Reason: "name, document number and phone do not match the real-name register (实名认证未通过)"}}}

// ErrIdentityUnavailable is the answer when the real-name check cannot be
// made now.
var ErrIdentityUnavailable = Errorf(EUNAVAILABLE, "The real-name check is unavailable right now; try again in a few minutes.")
