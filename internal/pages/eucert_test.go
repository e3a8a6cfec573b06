package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"healthcode/internal/dcc/dcctest"
	"healthcode/internal/service"
	"healthcode/internal/service/checkpoint"
)

func TestCheckpointShowsAnEUCertificate(t *testing.T) {
	de := dcctest.Load(t, "DE/2DCode/raw/1.json") // Erika Mustermann, born 1964-08-12, dose 2/2
	eu := checkpoint.NewEU(func() time.Time { return de.At })
	eu.SetTrust(de.TrustList(t))
	withEU := newSiteWith(t, service.Config{Issuer: "330100", Dev: true, EU: eu})
	without := newSite(t)
	tests := []struct {
		name string
		s    *site
		lang string
		want []string
		not  []string
	}{
		{name: "valid, in Chinese", s: withEU, lang: "zh",
			want: []string{`data-kind="eu"`, "verdict-eu", "有效的欧盟疫苗接种证书", "剂次 2/2", "证书有效至 2022-01-28", "E**** M*********", "2021-05-29"},
			not:  []string{"color-", "通过", "禁止通行", "Erika", "Mustermann", "1964", "<dt></dt>"}},
		{name: "valid, in English", s: withEU, lang: "en",
			want: []string{"Valid EU vaccination certificate, dose 2/2, until 2022-01-28", "Vaccinated on"}},
		{name: "no trust list", s: without, lang: "zh",
			want: []string{`data-kind="invalid"`, "本卡口未配置欧盟信任列表"}},
		{name: "no trust list, in English", s: without, lang: "en",
			want: []string{"This checkpoint has no EU trust list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.s.browser(t)
			b.get("/checkpoint?lang=" + tt.lang)
			got := b.post("/checkpoint/verify", url.Values{"token": {de.QR}})
			got.must(t, http.StatusOK, "", tt.want...)
			for _, n := range tt.not {
				if strings.Contains(got.html, n) {
					t.Errorf("the verdict shows %q", n)
				}
			}
		})
	}
}
