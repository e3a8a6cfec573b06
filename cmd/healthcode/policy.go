package main

import (
	"errors"
	"fmt"
	"io"

	"healthcode/policy"
)

const policyUsage = `usage:
  healthcode policy list                     the shipped policy packs, one name a line
  healthcode policy validate NAME|FILE...    check shipped packs or pack files`

// policyCmd runs the policy pack tools.
func policyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy: no subcommand given")
	}
	switch args[0] {
	case "list":
		if len(args) > 1 {
			return fmt.Errorf("policy list: unexpected arguments %v", args[1:])
		}
		for _, name := range policy.Shipped() {
			fmt.Fprintln(stdout, name)
		}
		return nil
	case "validate":
		return validatePacks(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, policyUsage)
	return fmt.Errorf("unknown policy subcommand %q", args[0])
}

// validatePacks loads every pack named, prints a line for each good one and
// the FILE:LINE: problem lines of each bad one.
func validatePacks(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy validate: name a shipped pack or a pack file")
	}
	failed := 0
	for _, arg := range args {
		p, err := policy.Load(arg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s %s: ok (%d categories, %d blocks)\n", p.Name, p.Version, len(p.Categories), len(p.Blocks))
	}
	if failed > 0 {
		return fmt.Errorf("policy validate: %d of %d packs are not valid", failed, len(args))
	}
	return nil
}
