package passes

import (
	"context"

	"healthcode"
	"healthcode/identity"
	"healthcode/internal/permission"
	"healthcode/internal/service/checkpoint"
	"healthcode/internal/service/core"
)

// LookupInput is an ID number a checkpoint typed, or its card reader
// typed from the card, and the temperature taken, if any.
type LookupInput struct {
	DocType     healthcode.DocType `json:"doc_type,omitempty"` // default resident_id
	Number      string             `json:"number"`
	Temperature *float64           `json:"temperature,omitempty"` // °C, recorded as a fact
}

// LookUpPerson finds a person by their ID number for a checkpoint (people
// without a smartphone, SPEC C7) and answers as a scan does (checkpoint.
// Verification, kind "id_number"): the live colour, pass, the masked name
// and the number's last four characters. No one holding the number is
// answered with reason no_such_person and nothing more. Every look-up is
// in the public log, naming the checkpoint's key and whether someone was
// found, never the number nor the person. Errors: EFORBIDDEN without
// VerifyDetails (a checkpoint key), EINVALID for a number that is no
// document's of that type.
func (s *Passes) LookUpPerson(ctx context.Context, who *healthcode.Principal, in LookupInput) (*checkpoint.Verification, error) {
	if !permission.Can(who, permission.VerifyDetails, "") {
		return nil, core.Forbidden(who, permission.VerifyDetails)
	}
	if in.DocType == "" {
		in.DocType = healthcode.DocResidentID
	}
	now := s.core.Clock()
	var problems healthcode.Problems
	number := ""
	if !in.DocType.Valid() {
		problems.Add("doc_type", "must be one of resident_id, hk_macao_permit, taiwan_permit, passport")
	} else if in.Number == "" {
		problems.Add("number", "is required: the number on the identity document")
	} else {
		var err error
		if number, err = identity.NormalizeDocument(in.DocType, in.Number, now); err != nil {
			problems.AddErr("number", err)
		}
	}
	if in.Temperature != nil {
		checkpoint.CheckCelsius("temperature", *in.Temperature, &problems)
		if !permission.Can(who, permission.RecordTemperature, "") {
			return nil, healthcode.Errorf(healthcode.EFORBIDDEN, "Recording a temperature needs a checkpoint key.")
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	p, err := s.store.PersonByIdentity(ctx, core.IDKey(s.box, in.DocType, number))
	found := err == nil
	if err != nil && healthcode.ErrorCode(err) != healthcode.ENOTFOUND {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx healthcode.Tx) error {
		return tx.AppendLog(ctx, healthcode.LogOfLookup(found, healthcode.LogAuthorOf(who), now))
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "person looked up by ID number", "by", who.Author(), "found", found)
	if !found {
		return &checkpoint.Verification{Reason: "no_such_person", Kind: "id_number"}, nil
	}
	v, err := s.check.Holder(ctx, who, p, in.Temperature, now, now)
	if err != nil {
		return nil, err
	}
	v.Kind = "id_number"
	return v, nil
}
