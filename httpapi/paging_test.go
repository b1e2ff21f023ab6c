package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// page is one GET of the incidents list.
type page struct {
	IDs  []string
	Next string
	Link string
}

func getPage(t *testing.T, url string) page {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s, want 200", url, resp.StatusCode, b)
	}
	var body struct {
		Incidents  []struct{ ID string }
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, b)
	}
	p := page{Next: body.NextCursor, Link: resp.Header.Get("Link")}
	for _, inc := range body.Incidents {
		p.IDs = append(p.IDs, inc.ID)
	}
	return p
}

func TestListPagesWithCursor(t *testing.T) {
	srv, _ := newServer(t, "s3cret")
	tests := []struct {
		name, query string
		want        [][]string
	}{
		{"by one", "limit=1", [][]string{{"INC-000003"}, {"INC-000002"}, {"INC-000001"}}},
		{"by two", "limit=2", [][]string{{"INC-000003", "INC-000002"}, {"INC-000001"}}},
		{"exactly one page", "limit=3", [][]string{{"INC-000003", "INC-000002", "INC-000001"}}},
		{"filtered", "status=escalated&limit=1", [][]string{{"INC-000003"}, {"INC-000002"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := srv.URL + "/api/v1/incidents?" + tc.query
			var got [][]string
			for range len(tc.want) + 1 {
				p := getPage(t, url)
				got = append(got, p.IDs)
				if p.Next == "" {
					if p.Link != "" {
						t.Errorf("last page has Link %q, want none", p.Link)
					}
					break
				}
				link, ok := strings.CutPrefix(p.Link, "<")
				link, _, _ = strings.Cut(link, ">")
				if !ok || !strings.HasSuffix(p.Link, `>; rel="next"`) || !strings.Contains(link, "cursor="+p.Next) {
					t.Fatalf("Link = %q, want <...cursor=%s...>; rel=\"next\"", p.Link, p.Next)
				}
				url = srv.URL + link
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("pages of ?%s = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestListRefusesForeignCursor(t *testing.T) {
	srv, _ := newServer(t, "s3cret")
	for _, c := range []string{"not*base64", "bm90LWEtY3Vyc29y", "MTIzOklOQy14"} {
		code, body := get(t, srv.URL+"/api/v1/incidents?cursor="+c, "s3cret")
		if code != 400 || !strings.Contains(body, "cursor") {
			t.Errorf("GET ?cursor=%s = %d %s, want 400 naming the cursor", c, code, body)
		}
	}
}

func TestBearerScheme(t *testing.T) {
	srv, _ := newServer(t, "s3cret")
	tests := []struct {
		name, header string
		code         int
	}{
		{"canonical", "Bearer s3cret", 200},
		{"lowercase scheme", "bearer s3cret", 200},
		{"uppercase scheme", "BEARER s3cret", 200},
		{"wrong token", "Bearer nope", 401},
		{"token only", "s3cret", 401},
		{"basic", "Basic czNjcmV0", 401},
		{"empty token", "Bearer ", 401},
		{"none", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/incidents", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("GET with Authorization %q = %d, want %d", tc.header, resp.StatusCode, tc.code)
			}
			if wa := resp.Header.Get("WWW-Authenticate"); tc.code == 401 && !strings.HasPrefix(wa, "Bearer") {
				t.Errorf("401 WWW-Authenticate = %q, want a Bearer challenge", wa)
			}
		})
	}
}
