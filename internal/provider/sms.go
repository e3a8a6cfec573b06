package provider

import (
	"context"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/identity"
)

// SMSGateway sends one-time codes through an SMS gateway over HTTP
// (docs/providers.md).
type SMSGateway struct {
	Client *Client
	Log    *slog.Logger
}

type smsRequest struct {
	Phone    string    `json:"phone"`
	Template string    `json:"template"` // healthcode.CodeLogin or CodeConsent
	Params   smsParams `json:"params"`
}

type smsParams struct {
	Code      string    `json:"code"`
	Minutes   int       `json:"minutes"` // how long the code works
	Requester string    `json:"requester,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SendCode implements healthcode.SMSSender.
func (g *SMSGateway) SendCode(ctx context.Context, m healthcode.CodeMessage) error {
	minutes := int(time.Until(m.ExpiresAt).Round(time.Minute) / time.Minute)
	req := smsRequest{Phone: m.Phone, Template: m.Purpose,
		Params: smsParams{Code: m.Code, Minutes: max(minutes, 1), Requester: m.Requester, ExpiresAt: m.ExpiresAt}}
	if err := g.Client.Post(ctx, req, nil); err != nil {
		g.Log.ErrorContext(ctx, "sms gateway unavailable", "phone", identity.MaskPhone(m.Phone), "err", err)
		return &healthcode.Error{Code: healthcode.EUNAVAILABLE, RetryAfter: time.Minute,
			Message: "The text message could not be sent; try again in a minute."}
	}
	return nil
}

// LogSender is the development sender: it writes the code to the log, so
// it must never run outside --dev (the server refuses to start otherwise).
type LogSender struct{ Log *slog.Logger }

// SendCode implements healthcode.SMSSender.
func (l LogSender) SendCode(ctx context.Context, m healthcode.CodeMessage) error {
	l.Log.InfoContext(ctx, "one-time code (dev sender, never in production)", "purpose", m.Purpose,
		"phone", identity.MaskPhone(m.Phone), "code", m.Code)
	return nil
}
