package web

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIDocumentsEveryRoute fails when a route exists without a
// documented path and method, or the document names one that does not.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version = %q, want 3.x", doc.OpenAPI)
	}
	var documented, routed []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range table {
		routed = append(routed, rt.pattern)
	}
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %q is not in openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("openapi.yaml documents %q, which is not a route", d)
		}
	}
}

// TestOpenAPIDocumentsTheRateLimits: every route routes.go limits
// documents its 429 with Retry-After.
func TestOpenAPIDocumentsTheRateLimits(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	for pattern := range limited {
		method, path, _ := strings.Cut(pattern, " ")
		op, _ := doc.Paths[path][strings.ToLower(method)].(map[string]any)
		responses, _ := op["responses"].(map[string]any)
		limit, _ := responses["429"].(map[string]any)
		if got := limit["$ref"]; got != "#/components/responses/Limited" {
			t.Errorf("%s: 429 is %v, want the Limited response", pattern, got)
		}
	}
}
