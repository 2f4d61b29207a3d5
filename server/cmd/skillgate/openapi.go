package main

import (
	"context"
	"fmt"

	"github.com/skillgate/skillgate/server/internal/app"
)

// cmdOpenAPI prints the OpenAPI document the server serves at
// /api/openapi.json, assembled from every domain's openapi.yaml. It reads no
// configuration and opens no database; `npm run gen:api` in frontend/ turns
// it into the web app's TypeScript types.
func cmdOpenAPI(_ context.Context, e env, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: skillgate openapi")
	}
	doc, err := app.APIDoc()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", doc.JSON)
	return err
}
