package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"healthcode"
)

func testReleaseLists(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	lists := []*healthcode.ReleaseList{
		{UploadedBy: "official:3", Point: "西湖隔离点", Division: "330106", UploadedAt: at, Rows: 3, Released: 2, SHA256: []byte("file-1")},
		{UploadedBy: "official:4", Point: "滨江隔离点", Division: "330108", UploadedAt: at.Add(time.Hour), Rows: 1, Released: 1, SHA256: []byte("file-1")},
		{UploadedBy: "official:3", Point: "西湖隔离点", Division: "330106001", UploadedAt: at.Add(2 * time.Hour), Rows: 5, SHA256: []byte("file-2")},
		{UploadedBy: "official:5", Point: "上城隔离点", Division: "440106", UploadedAt: at.Add(3 * time.Hour), Rows: 1, SHA256: []byte("file-3")},
	}
	update(t, s, func(tx healthcode.Tx) error {
		for _, l := range lists {
			if err := tx.CreateReleaseList(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		scope string
		n     int
		want  []*healthcode.ReleaseList
	}{
		{"330106", 10, []*healthcode.ReleaseList{lists[2], lists[0]}},
		{"330100", 10, []*healthcode.ReleaseList{lists[2], lists[1], lists[0]}},
		{"330100", 2, []*healthcode.ReleaseList{lists[2], lists[1]}},
		{"330106001", 10, []*healthcode.ReleaseList{lists[2]}},
		{"110000", 10, nil},
	}
	for _, tt := range tests {
		got, err := s.ReleaseLists(ctx, tt.scope, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		var want []healthcode.ReleaseList
		for _, l := range tt.want {
			want = append(want, *l)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ReleaseLists(%s, %d):\n got %+v\nwant %+v", tt.scope, tt.n, got, want)
		}
	}
	got, err := s.ReleaseListByFile(ctx, "330108", []byte("file-1"))
	if err != nil || got.ID != lists[1].ID {
		t.Errorf("ReleaseListByFile(330108, file-1) = %+v, %v; want list %d", got, err, lists[1].ID)
	}
	_, err = s.ReleaseListByFile(ctx, "330108", []byte("file-2"))
	wantCode(t, err, healthcode.ENOTFOUND)
	again := *lists[0]
	err = s.Update(ctx, func(tx healthcode.Tx) error { return tx.CreateReleaseList(ctx, &again) })
	wantCode(t, err, healthcode.ECONFLICT)
}

func testCreditRecords(t *testing.T, s healthcode.Store) {
	ctx := context.Background()
	records := []*healthcode.CreditRecord{
		{PersonID: 7, Finding: "declared no travel; trip records show Wuhan", Evidence: "WH-2026-031", RecordedBy: "official:9", At: at},
		{PersonID: 8, Finding: "another person's finding, not the first's", RecordedBy: "official:9", At: at},
		{PersonID: 7, Finding: "declared no fever; fever clinic visit found", RecordedBy: "official:2", At: at.Add(time.Hour)},
	}
	update(t, s, func(tx healthcode.Tx) error {
		for _, c := range records {
			if err := tx.AddCreditRecord(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.CreditRecords(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []healthcode.CreditRecord{*records[0], *records[2]}; !reflect.DeepEqual(got, want) {
		t.Errorf("CreditRecords(7):\n got %+v\nwant %+v", got, want)
	}
	if got, err := s.CreditRecords(ctx, 99); err != nil || len(got) != 0 {
		t.Errorf("CreditRecords of a person without any = %v, %v; want none", got, err)
	}
}
