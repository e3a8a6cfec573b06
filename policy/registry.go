package policy

import (
	"fmt"
	"slices"
	"strings"

	"healthcode"
)

// Registry holds the packs a server applies, by region. A region is
// configured with one pack; one server may serve several regions.
type Registry struct {
	byRegion map[string]*Pack
	fallback *Pack
}

// NewRegistry maps each region code to its pack. The fallback serves
// persons whose region lies in none of them: a deployment's own region.
func NewRegistry(regions map[string]*Pack, fallback *Pack) (*Registry, error) {
	if fallback == nil {
		return nil, fmt.Errorf("policy registry: no fallback pack")
	}
	for region := range regions {
		if reason := healthcode.ValidateRegion(region); reason != "" {
			return nil, fmt.Errorf("policy registry: region %q: %s", region, reason)
		}
	}
	return &Registry{byRegion: regions, fallback: fallback}, nil
}

// For implements Chooser with Pack.
func (r *Registry) For(region string) Policy { return r.Pack(region) }

// Pack returns the pack for a person's region: the most specific
// configured region containing it (330106 is in 330100, which is in
// 330000), else the fallback.
func (r *Registry) Pack(region string) *Pack {
	if p, ok := r.byRegion[region]; ok {
		return p
	}
	if len(region) == 6 {
		for _, parent := range []string{region[:4] + "00", region[:2] + "0000"} {
			if p, ok := r.byRegion[parent]; ok {
				return p
			}
		}
	}
	return r.fallback
}

// Packs lists the distinct packs in use, the fallback first.
func (r *Registry) Packs() []*Pack {
	ps := []*Pack{r.fallback}
	for _, p := range r.byRegion {
		if !containsPack(ps, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

func containsPack(ps []*Pack, p *Pack) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// ShippedRegistry serves every shipped pack for the regions it names, then
// the overrides (region → pack), with the pack for home (the deployment's
// region) as the fallback: the one whose regions contain it, else
// transfer-rules-2022.
func ShippedRegistry(home string, overrides map[string]*Pack) (*Registry, error) {
	if reason := healthcode.ValidateRegion(home); reason != "" {
		return nil, fmt.Errorf("policy registry: home region %q: %s", home, reason)
	}
	regions := map[string]*Pack{}
	for _, name := range Shipped() {
		p, err := LoadShipped(name)
		if err != nil {
			return nil, err
		}
		for _, region := range p.Regions {
			regions[region] = p
		}
	}
	for region, p := range overrides {
		if reason := healthcode.ValidateRegion(region); reason != "" {
			return nil, fmt.Errorf("policy registry: region %q: %s", region, reason)
		}
		regions[region] = p
	}
	r := &Registry{byRegion: regions}
	if r.fallback = r.Pack(home); r.fallback == nil {
		p, err := LoadShipped("transfer-rules-2022")
		if err != nil {
			return nil, err
		}
		r.fallback = p
	}
	return r, nil
}

// ParseAssignments reads "REGION=PACK,REGION=PACK" (a shipped name or a
// file), the form of serve's --policy flag.
func ParseAssignments(s string) (map[string]*Pack, error) {
	out := map[string]*Pack{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		region, ref, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("policy %q: want REGION=PACK", part)
		}
		p, err := Load(strings.TrimSpace(ref))
		if err != nil {
			return nil, err
		}
		out[strings.TrimSpace(region)] = p
	}
	return out, nil
}

// InForce lists the packs the registry applies, as the public log records
// them: the pack of every region it names, sorted by region, then the
// fallback for everyone else (Region "").
func (r *Registry) InForce() []healthcode.LogPack {
	regions := make([]string, 0, len(r.byRegion))
	for region := range r.byRegion {
		regions = append(regions, region)
	}
	slices.Sort(regions)
	out := make([]healthcode.LogPack, 0, len(regions)+1)
	for _, region := range regions {
		out = append(out, logPack(region, r.byRegion[region]))
	}
	return append(out, logPack("", r.fallback))
}

func logPack(region string, p *Pack) healthcode.LogPack {
	return healthcode.LogPack{Region: region, Name: p.Name, Version: p.Version, SHA256: p.Digest}
}
