package healthcode

import (
	"context"
	"time"
)

// Purposes of a one-time code, each its own text template.
const (
	CodeLogin   = "login"   // logging in by phone
	CodeConsent = "consent" // a relative agreeing to be managed by another login
)

// CodeMessage is a one-time code on its way to a phone.
type CodeMessage struct {
	Phone     string
	Code      string
	Purpose   string    // CodeLogin or CodeConsent
	Requester string    // CodeConsent: the masked phone of the login asking
	ExpiresAt time.Time // when the code stops working
}

// SMSSender delivers one-time codes. It returns an error when the text was
// not accepted for delivery; the service then tells the citizen to try
// again later instead of waiting for a code that will not come.
type SMSSender interface {
	SendCode(ctx context.Context, m CodeMessage) error
}
