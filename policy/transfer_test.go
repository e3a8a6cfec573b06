package policy

import (
	"strings"
	"testing"

	"healthcode"
)

// The reason of a colour an official workflow gave names the workflow and
// the offices of the two officials, in both languages, never a name.
func TestATransfersReasonNamesTheWorkflowAndTheOffices(t *testing.T) {
	p, err := LoadShipped("transfer-rules-2022")
	if err != nil {
		t.Fatal(err)
	}
	district, street := healthcode.RoleDistrict, healthcode.RoleStreet
	tests := []struct {
		name     string
		transfer healthcode.TransferFact
		zh, en   string
	}{
		{"an appeal to green", healthcode.TransferFact{To: healthcode.Green, Workflow: "appeal", ProposedBy: district, ApprovedBy: district},
			"复核：区县审核、区县复核批准", "Appeal: decided by a district officer, approved by a second district officer"},
		{"an error correction to red", healthcode.TransferFact{To: healthcode.Red, Workflow: "error_correction",
			ProposedBy: street, ApprovedBy: district},
			"纠错：街道审核、区县复核批准", "Error correction: decided by a street officer, approved by a district officer"},
		{"a transfer without roles", healthcode.TransferFact{To: healthcode.Green, Workflow: "home_release"},
			"解除居家隔离", "Release from home isolation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.transfer
			b := new(fb).declare(0)
			if tr.To == healthcode.Green { // a transfer that ends a contact's red
				b = b.contact(d(1), healthcode.ContactClose, d(1), false)
			}
			facts := b.add(d(2), healthcode.Fact{Transfer: &tr}).facts
			st := p.Evaluate(facts, t0.Add(d(2)+h(1)))
			if st.Color != tr.To || !strings.Contains(st.Reason.Zh, tt.zh) || !strings.Contains(st.Reason.En, tt.en) {
				t.Errorf("%v: %+v; want %q and %q", st.Color, st.Reason, tt.zh, tt.en)
			}
			if !containsID(st.FactIDs, facts[len(facts)-1].ID) {
				t.Errorf("the status does not name the transfer: %v", st.FactIDs)
			}
		})
	}
}
