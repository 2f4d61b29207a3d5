package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOpenAPICommandPrintsTheDocumentWithoutADatabase(t *testing.T) {
	t.Parallel()
	// No DATABASE_URL and no configuration: the document needs neither.
	out, err := runWith(t, nil, "openapi")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("got %.200q, want JSON: %v", out, err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("got openapi %q, want 3.0.3", doc.OpenAPI)
	}
	// One path and one schema from different fragments, so every fragment is merged.
	if _, ok := doc.Paths["/api/v1/eligibility"]["get"]; !ok {
		t.Errorf("got no GET /api/v1/eligibility (routing/openapi.yaml) in the document")
	}
	if _, ok := doc.Paths["/api/v1/auth/login"]["post"]; !ok {
		t.Errorf("got no POST /api/v1/auth/login (auth/openapi.yaml) in the document")
	}
	if _, err := runWith(t, nil, "openapi", "extra"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("got %v, want the usage", err)
	}
}
