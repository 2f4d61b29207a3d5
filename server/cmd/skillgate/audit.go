package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
)

// cmdAudit runs audit tools: verify links the rows not sealed yet (as the
// server's sealer does), then checks the hash chain and names the first
// broken row.
func cmdAudit(ctx context.Context, e env, args []string) error {
	if len(args) != 1 || args[0] != "verify" {
		return fmt.Errorf("usage: skillgate audit verify")
	}
	_, _, g, err := setup(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close(g)
	if _, err := audit.Seal(ctx, g); err != nil {
		return err
	}
	checked, broken, err := audit.Verify(ctx, g)
	if err != nil {
		return err
	}
	if n, oldest, err := audit.Unsealed(ctx, g); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(e.stdout, "audit verify: %d rows of transactions still open are not sealed yet (the oldest from %s)\n",
			n, oldest.UTC().Format(time.RFC3339))
	}
	if broken != nil {
		fmt.Fprintf(e.stdout, "audit verify: %d rows checked\n", checked)
		return fmt.Errorf("audit chain broken at row seq=%d id=%s: %s", broken.Seq, broken.ID, broken.Reason)
	}
	fmt.Fprintf(e.stdout, "audit verify: %d rows checked, the chain is intact\n", checked)
	return nil
}

// describe spells out an invalid error's fields for a terminal.
func describe(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	var parts []string
	for k, v := range ae.Fields {
		parts = append(parts, k+" "+v)
	}
	sort.Strings(parts)
	return fmt.Errorf("%s: %s", ae.Message, strings.Join(parts, "; "))
}
