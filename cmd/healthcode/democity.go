package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"time"

	"healthcode"
	"healthcode/internal/demo"
	"healthcode/internal/ingest"
	"healthcode/internal/permission"
	"healthcode/internal/service"
	"healthcode/policy"
)

// demoSource names the demo's feeds as a provider: their facts say so.
const demoSource = "demo"

// demoCity is a demonstration city once its people applied: what it
// prints and the feeds it sends.
type demoCity struct {
	svc               *service.Service
	pop               *demo.Population
	feeds             *demo.Stream
	every             time.Duration
	count             int
	policy            string // --policy
	checkpoint, admin string // the keys' secrets
	officials         []demoOfficial
}

// demoOfficial is an account the demo appointed, with what logs it in.
type demoOfficial struct {
	login, password string
	appointed       *service.Appointed
}

// demoOfficials are the chain that handles a case in the demo city: a
// community worker, a street reviewer and two district officers, for four
// eyes. People of the demo give no community, so all are scoped to the
// city, which covers them.
var demoOfficials = []struct {
	login string
	role  healthcode.Role
}{
	{"demo.community", healthcode.RoleCommunity},
	{"demo.street", healthcode.RoleStreet},
	{"demo.district1", healthcode.RoleDistrict},
	{"demo.district2", healthcode.RoleDistrict},
}

// newDemoCity applies for the city's people and makes its staff keys.
func newDemoCity(ctx context.Context, svc *service.Service, f demoFlags, stdout, stderr io.Writer) (*demoCity, error) {
	pop, err := demo.NewPopulation(f.seed, service.DefaultIssuer)
	if err != nil {
		return nil, err
	}
	feeds, err := demo.NewStream(pop, f.people)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := demo.Apply(ctx, pop, f.people, svc.ApplyMany, progressOf(stderr, "applied", f.people, start))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "healthcode demo: %d people of %s applied in %s (%d had applied already)\n",
		res.Applied+res.Skipped, pop.City().Name, time.Since(start).Round(time.Millisecond), res.Skipped)
	c := &demoCity{svc: svc, pop: pop, feeds: feeds, every: f.every, count: f.feeds, policy: f.policy}
	if c.checkpoint, err = demoKey(ctx, svc, "demo-checkpoint", healthcode.RoleCheckpoint); err != nil {
		return nil, err
	}
	if c.admin, err = demoKey(ctx, svc, "demo-admin", healthcode.RoleAdmin); err != nil {
		return nil, err
	}
	for _, o := range demoOfficials {
		pw := rand.Text()
		a, err := svc.CreateOfficial(ctx, permission.Operator(),
			service.OfficialSpec{Login: o.login, Role: o.role, Scope: service.DefaultIssuer, Password: pw})
		if err != nil {
			return nil, fmt.Errorf("demo: official %s: %w", o.login, err)
		}
		c.officials = append(c.officials, demoOfficial{o.login, pw, a})
	}
	return c, nil
}

func demoKey(ctx context.Context, svc *service.Service, name string, role healthcode.Role) (string, error) {
	key, _, err := svc.CreateKey(ctx, permission.Operator(), service.KeySpec{Name: name, Role: role, Region: service.DefaultIssuer})
	if err != nil {
		return "", fmt.Errorf("demo: %s key: %w", name, err)
	}
	return key, nil
}

// at is when the feed of a step arrives: the first after one interval.
func (c *demoCity) at(step int) string {
	return time.Now().Add(time.Duration(step+1) * c.every).In(policy.ChinaTime).Format("15:04:05")
}

// instructions says how to look at the city from each side.
func (c *demoCity) instructions(w io.Writer, url string) {
	contact, positive := c.pop.At(c.feeds.Contact()), c.pop.At(c.feeds.Positive())
	fmt.Fprintf(w, "healthcode listening on %s\n\n", url)
	fmt.Fprintf(w, "As a citizen: open %s/login on a phone or a narrow window, type the phone %s (%s) and ask for a code;\n",
		url, contact.Phone, contact.Name)
	fmt.Fprintln(w, "  this --dev server shows the one-time code on the page (the API returns it as dev_code).")
	if c.count > demo.ContactStep {
		fmt.Fprintf(w, "  Their code is green, and turns red at about %s, when the contact feed reports them a close contact.\n", c.at(demo.ContactStep))
	}
	if c.count > demo.LabStep {
		fmt.Fprintf(w, "  Or log in as %s (%s): a positive nucleic-acid result for them arrives at about %s.\n",
			positive.Phone, positive.Name, c.at(demo.LabStep))
	}
	fmt.Fprintf(w, "As a checkpoint: open %s/checkpoint and log in with the staff key\n  %s\n", url, c.checkpoint)
	fmt.Fprintln(w, "  then scan a citizen's code (or POST /api/v1/verify with the key as a Bearer token).")
	fmt.Fprintf(w, "As an administrator: log in at %s/checkpoint with the admin key\n  %s\n", url, c.admin)
	fmt.Fprintf(w, "  for venue posters (%s/venues/new), or call the admin API with it:\n", url)
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"name\":\"西湖文化广场\",\"region\":\"330106\"}' %s/api/v1/admin/venues\n",
		c.admin, url)
	if len(c.officials) > 0 {
		fmt.Fprintf(w, "As an official: open %s/officials/login; each needs the code of an authenticator app (any TOTP app) set up with their secret:\n", url)
		for _, o := range c.officials {
			fmt.Fprintf(w, "  %-15s %-9s password %s  TOTP secret %s\n", o.login, o.appointed.Official.Role, o.password, o.appointed.TOTPSecret)
		}
		fmt.Fprintln(w, "  A citizen's appeal (on their code page) reaches the district officers' queue; one upholds it, the other approves.")
	}
	if c.count > 0 {
		fmt.Fprintf(w, "Feeds: %d, one every %s, from %s: lab results, contacts, a risk area, cases, and again. Ctrl-C stops the demo.\n",
			c.count, c.every, c.at(0))
		if c.policy == "" {
			fmt.Fprintln(w, "  Hangzhou's 2020 pack knows no risk areas, so the designation colours no one; --policy 330100=transfer-rules-2022\n"+
				"  runs the 2022 transfer rules instead, under which it does.")
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "No feeds (--feeds 0). Ctrl-C stops the demo.")
	}
}

// stream sends the feeds, one step every interval, and says what each
// changed, until all are sent or ctx ends.
func (c *demoCity) stream(ctx context.Context, w io.Writer, log *slog.Logger) {
	if c.count == 0 {
		return
	}
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for range c.count {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		step := c.feeds.Next(time.Now())
		recoloured, err := c.send(ctx, step)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("demo feed failed", "what", step.What, "err", err)
			}
			return
		}
		fmt.Fprintf(w, "%s  %s: %d %s\n", chinaNow(), step.What, recoloured, map[bool]string{true: "colour change", false: "colour changes"}[recoloured == 1])
	}
	fmt.Fprintln(w, "All feeds sent; the server runs on until Ctrl-C.")
}

// send stores a step's feeds as the operator's ingest does and returns
// how many colours they changed.
func (c *demoCity) send(ctx context.Context, step demo.Step) (int, error) {
	recoloured := 0
	for _, f := range step.Feeds {
		dec, err := ingest.NewDecoder(f.Kind, ingest.CSV, bytes.NewReader(f.CSV), time.Now())
		if err != nil {
			return recoloured, err
		}
		rejected := func(r ingest.Rejection) { err = fmt.Errorf("%s feed: rejected %s", f.Kind, r) }
		if f.Kind == "designation" {
			rows, derr := dec.Designations(rejected)
			if derr != nil || err != nil {
				return recoloured, cmp.Or(derr, err)
			}
			res, derr := c.svc.DesignateAs(ctx, demoSource, "cli:"+demoSource, rows)
			recoloured += res.Recoloured
			if derr != nil {
				return recoloured, derr
			}
			continue
		}
		res, _, ierr := service.IngestStream(ctx, dec, service.Stream{Rejected: rejected,
			Store: func(ctx context.Context, rows []ingest.Row) (service.IngestResult, error) {
				return c.svc.IngestAs(ctx, demoSource, "cli:"+demoSource, rows)
			}})
		recoloured += res.Recoloured
		if ierr != nil || err != nil {
			return recoloured, cmp.Or(ierr, err)
		}
	}
	return recoloured, nil
}
