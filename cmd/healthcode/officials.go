package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"healthcode"
	"healthcode/internal/permission"
	"healthcode/internal/service"
)

const officialsUsage = "usage: healthcode officials create --login LOGIN --role community|street|district|isolation|auditor|administrator --scope CODE\n" +
	"       healthcode officials list [--json]\n" +
	"       healthcode officials disable LOGIN\n" +
	"create prints the new account's password, TOTP secret and otpauth:// URI once; hand them to the official in person."

func officialsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(officialsUsage)
	}
	switch {
	case isHelp(args[0]):
		fmt.Fprintln(stdout, officialsUsage)
		return nil
	case args[0] == "create":
		return officialsCreate(ctx, args[1:], getenv, stdout, stderr)
	case args[0] == "list":
		return officialsList(ctx, args[1:], getenv, stdout, stderr)
	case args[0] == "disable":
		return officialsDisable(ctx, args[1:], getenv, stdout, stderr)
	}
	return errors.New(officialsUsage)
}

// officialsCreate opens an account as the operator. The password is made
// here, never typed: 130 random bits, printed once with the TOTP secret,
// so no account starts with a password someone chose to remember.
func officialsCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var spec service.OfficialSpec
	var role string
	c, err := parse("officials create", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&spec.Login, "login", "", "the account's `LOGIN`: 3 to 32 of a-z, 0-9, '.', '_', '-'")
		fs.StringVar(&role, "role", "", "the official's `ROLE`: community, street, district, isolation, auditor or administrator")
		fs.StringVar(&spec.Scope, "scope", "", "the division `CODE` the account acts within: 6 digits (330106), 9 (a town, 330106001) or 12 (a community)")
	})
	if err != nil {
		return err
	}
	spec.Role, spec.Password = healthcode.Role(role), rand.Text()
	return withService(ctx, c, openStore, getenv, stderr, func(svc *service.Service) error {
		a, err := svc.CreateOfficial(ctx, permission.Operator(), spec) // the command line is the operator
		if err != nil {
			return err
		}
		o := a.Official
		fmt.Fprintf(stderr, "created %s account %d %q for %s; its password and TOTP secret are shown once:\n", o.Role, o.ID, o.Login, o.Scope)
		fmt.Fprintf(stdout, "password:    %s\ntotp secret: %s\ntotp uri:    %s\n", spec.Password, a.TOTPSecret, a.TOTPURI)
		return nil
	})
}

// officialsList prints every account, never a password or a secret.
func officialsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	c, err := parse("officials list", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print a JSON array, for scripts")
	})
	if err != nil {
		return err
	}
	return withService(ctx, c, openExisting, getenv, stderr, func(svc *service.Service) error {
		os, err := svc.ListOfficials(ctx, permission.Operator())
		if err != nil {
			return err
		}
		views := make([]service.OfficialView, len(os))
		for i := range os {
			views[i] = service.OfficialViewOf(&os[i])
		}
		if asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(views)
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLOGIN\tROLE\tSCOPE\tCREATED\tBY\tDISABLED\tLOCKED UNTIL")
		for _, v := range views {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Login, v.Role, v.Scope, chinaTime(v.CreatedAt), v.CreatedBy,
				chinaTime(v.DisabledAt), chinaTime(v.LockedUntil))
		}
		return tw.Flush()
	})
}

// officialsDisable disables one account by its login; its sessions end.
func officialsDisable(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, logins, err := parseWith("officials disable", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if len(logins) != 1 {
		return errors.New("usage: healthcode officials disable LOGIN: name exactly one account")
	}
	return withService(ctx, c, openExisting, getenv, stderr, func(svc *service.Service) error {
		o, err := svc.DisableOfficialByLogin(ctx, logins[0])
		if code := healthcode.ErrorCode(err); code == healthcode.ENOTFOUND || code == healthcode.ECONFLICT {
			return errors.New(healthcode.ErrorMessage(err))
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s account %d %q; its sessions end now on every server\n", o.Role, o.ID, o.Login)
		return nil
	})
}
