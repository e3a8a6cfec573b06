// Package policy turns facts into a status. A policy is a pure function of
// (facts, now): no I/O and no clock, so the same facts at the same instant
// always give the same status, and any status can be explained and derived
// again.
//
// A region's rules are a Pack: data, versioned and validated (pack.go,
// load.go), evaluated by one engine (engine.go). The five shipped packs in
// packs/ reproduce the seed documents.
package policy

import (
	"cmp"
	"time"

	"healthcode"
)

// Policy assigns colours for one region.
type Policy interface {
	// PolicyName names the policy and its version, recorded with every
	// status.
	PolicyName() string
	// Evaluate returns the status facts imply at now. Facts are in the
	// order they happened; Evaluate never modifies them.
	Evaluate(facts []healthcode.Fact, now time.Time) healthcode.Status
	// Settings returns the region's application rules.
	Settings() Settings
}

// Chooser picks the policy that governs a person's region.
type Chooser interface {
	For(region string) Policy
}

// Single governs every region with one policy.
type Single struct{ Policy }

// For implements Chooser.
func (s Single) For(string) Policy { return s.Policy }

// Settings are the per-region rules of applying (SPEC A5–A7).
type Settings struct {
	// ModifyLimit is how many times a person may modify their application;
	// seed 003 allows one a day, seed 004 one in all.
	ModifyLimit int `yaml:"modify_limit"`
	// ModifyPerDay counts modifications per calendar day (China time);
	// false counts them over the person's whole life.
	ModifyPerDay bool `yaml:"modify_per_day"`
	// Relatives allows one login to apply for relatives (seed 004) or not
	// (seed 000).
	Relatives bool `yaml:"relatives"`
	// NoReapply forbids the one re-application of seeds 000 and 002.
	NoReapply bool `yaml:"no_reapply"`
	// Proxy lets a login register a child or an elderly person without a
	// phone of their own on the login's phone (seed 002 Q17), after the
	// two-element real-name check (name and document). It needs Relatives.
	Proxy bool `yaml:"proxy"`
	// ProxyUnder and ProxyFrom are the ages, from the resident ID's birth
	// date, of a child (below ProxyUnder) and an elderly person (ProxyFrom
	// and above); 0 takes the defaults, 16 and 60. Anyone else has a phone
	// of their own and consents to being managed by a code sent to it.
	ProxyUnder int `yaml:"proxy_under"`
	ProxyFrom  int `yaml:"proxy_from"`
	// MaxRelatives caps the relatives one login manages; 0 takes the
	// default, 5, so one account cannot gather a crowd of codes.
	MaxRelatives int `yaml:"max_relatives"`
}

// Defaults of Settings.
const (
	DefaultProxyUnder   = 16 // a mobile number is registered to a person from 16
	DefaultProxyFrom    = 60 // the legal age of the elderly in China
	DefaultMaxRelatives = 5
)

// RelativesLimit is MaxRelatives or its default.
func (s Settings) RelativesLimit() int { return cmp.Or(s.MaxRelatives, DefaultMaxRelatives) }

// ProxyAges are ProxyUnder and ProxyFrom, or their defaults.
func (s Settings) ProxyAges() (under, from int) {
	return cmp.Or(s.ProxyUnder, DefaultProxyUnder), cmp.Or(s.ProxyFrom, DefaultProxyFrom)
}

// ProxyAge reports whether a person of this age may be registered on a
// relative's phone: a child or an elderly person.
func (s Settings) ProxyAge(age int) bool {
	under, from := s.ProxyAges()
	return age < under || age >= from
}

// ChinaTime is the zone of every date a citizen reads and of "once a day"
// limits. A fixed offset: China has no daylight saving and the binary needs
// no time-zone database.
var ChinaTime = time.FixedZone("CST", 8*60*60)
